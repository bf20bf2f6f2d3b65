using System.Runtime.CompilerServices;
using System.Text;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// An Itanium C++ ABI demangler that prints what GNU libiberty's <c>cplus_demangle</c> prints with
/// <c>DMGL_PARAMS | DMGL_ANSI</c> (binutils 2.40): the text ld's map shows for a C++ symbol (ld/ldmisc.c <c>%T</c>
/// through bfd/bfd.c <c>bfd_demangle</c>). With <c>verbose</c> it prints what <c>c++filt</c> prints (which adds
/// <c>DMGL_VERBOSE</c>: the standard abbreviations <c>Ss</c>, <c>Si</c>, <c>So</c>, <c>Sd</c> spelled out in full).
/// The name is parsed into a tree of components, then the tree is printed with libiberty's placement rules (modifier
/// stack for pointers, references, function and array types; template scopes for template parameters).
/// Bounded like libiberty: a name longer than 1024 characters is refused (libiberty's component budget of twice the
/// length must stay within DEMANGLE_RECURSION_LIMIT 2048), printing recursion stops at 1024 levels, and, beyond
/// libiberty, an output longer than <see cref="MaxOutput"/> characters or a stack running short fails too; a failed
/// name is printed unchanged by the callers, as ld does.
/// </summary>
internal static class ItaniumDemangler
{
    /// <summary>Longest demangled text accepted; substitutions can make a short name expand exponentially.</summary>
    public const int MaxOutput = 1 << 20;

    /// <summary>bfd_demangle for an ELF target without a symbol leading character: leading '.' and '$' are set
    /// aside, anything from the first '@' (a symbol version) is cut off, the rest is demangled and the two put back.
    /// Null when the name does not demangle.</summary>
    public static string? BfdDemangle(string name)
    {
        var start = 0;
        while (start < name.Length && name[start] is '.' or '$')
        {
            start++;
        }

        var at = name.IndexOf('@', start);
        var core = at < 0 ? name[start..] : name[start..at];
        var res = Demangle(core);
        if (res is null)
        {
            return null;
        }

        if (start == 0 && at < 0)
        {
            return res;
        }

        return string.Concat(name.AsSpan(0, start), res, at < 0 ? "" : name.AsSpan(at));
    }

    /// <summary>The name ld prints for <paramref name="name"/> in the map: demangled when it demangles.</summary>
    public static string MapName(string name, bool demangle) => demangle ? BfdDemangle(name) ?? name : name;

    /// <summary>libiberty's cplus_demangle in its default (auto) style with DMGL_PARAMS|DMGL_ANSI, and DMGL_VERBOSE
    /// when <paramref name="verbose"/>: a legacy Rust symbol first (rust_demangle), then the C++ ABI; null on failure.</summary>
    public static string? Demangle(string mangled, bool verbose = false) =>
        RustLegacy(mangled, verbose) ?? DemangleCxx(mangled, verbose);

    /// <summary>libiberty rust-demangle.c for legacy Rust symbols (<c>_ZN</c> path <c>17h</c>hash <c>E</c>), which
    /// overlap with the C++ grammar and are tried first: the path joined with "::", escapes such as <c>$LT$</c>
    /// decoded, the hash segment only when verbose, a <c>.suffix</c> after the final 'E' dropped.</summary>
    private static string? RustLegacy(string sym, bool verbose)
    {
        if (sym.Length < 3 || sym[0] != '_' || sym[1] != 'Z' || sym[2] != 'N')
        {
            return null;
        }

        var body = sym.AsSpan(3);
        foreach (var c in body)
        {
            if (!(c == '_' || char.IsAsciiLetterOrDigit(c) || c is '$' or '.' or ':' or '@'))
            {
                return null;
            }
        }

        var len = body.Length;
        var dotSuffix = true;
        while (len > 0 && !(dotSuffix && body[len - 1] == 'E'))
        {
            dotSuffix = body[len - 1] == '.';
            len--;
        }

        if (len <= 0 || body[len - 1] != 'E')
        {
            return null;
        }

        len--;
        if (!(len > 19 && body.Slice(len - 19, 3).SequenceEqual("17h")))
        {
            return null;
        }

        var idents = new List<(int Start, int Length)>();
        var next = 0;
        do
        {
            if (next >= len || !IsDigit(body[next]))
            {
                return null;
            }

            long n = body[next++] - '0';
            if (n != 0)
            {
                while (next < len && IsDigit(body[next]) && n < int.MaxValue)
                {
                    n = n * 10 + (body[next++] - '0');
                }
            }

            if (n == 0 || next + n > len)
            {
                return null;
            }

            idents.Add((next, (int)n));
            next += (int)n;
        }
        while (next < len);

        var hash = idents[^1];
        if (hash.Length != 17 || body[hash.Start] != 'h')
        {
            return null;
        }

        var seen = 0;
        for (var i = 1; i < 17; i++)
        {
            var c = body[hash.Start + i];
            var nibble = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
            if (nibble < 0)
            {
                return null;
            }

            seen |= 1 << nibble;
        }

        if (System.Numerics.BitOperations.PopCount((uint)seen) < 5)
        {
            return null;
        }

        var sb = new StringBuilder();
        var count = verbose ? idents.Count : idents.Count - 1;
        for (var k = 0; k < count; k++)
        {
            if (k > 0)
            {
                sb.Append("::");
            }

            RustIdent(sb, body.Slice(idents[k].Start, idents[k].Length));
        }

        return sb.ToString();
    }

    private static void RustIdent(StringBuilder sb, ReadOnlySpan<char> id)
    {
        if (id.Length >= 2 && id[0] == '_' && id[1] == '$')
        {
            id = id[1..];
        }

        while (id.Length > 0)
        {
            int len;
            if (id[0] == '$')
            {
                var c = RustEscape(id, out len);
                if (c == '\0')
                {
                    sb.Append(id);
                    return;
                }

                sb.Append(c);
            }
            else if (id[0] == '.')
            {
                if (id.Length >= 2 && id[1] == '.')
                {
                    sb.Append("::");
                    len = 2;
                }
                else
                {
                    sb.Append('.');
                    len = 1;
                }
            }
            else
            {
                for (len = 0; len < id.Length; len++)
                {
                    if (id[len] is '$' or '.')
                    {
                        break;
                    }
                }

                sb.Append(id[..len]);
            }

            id = id[len..];
        }
    }

    private static char RustEscape(ReadOnlySpan<char> e, out int outLen)
    {
        outLen = 0;
        if (e.Length < 3 || e[0] != '$')
        {
            return '\0';
        }

        e = e[1..];
        var len = e.Length;
        var c = '\0';
        var escapeLen = 0;
        if (e[0] == 'C')
        {
            escapeLen = 1;
            c = ',';
        }
        else if (len > 2)
        {
            escapeLen = 2;
            c = (e[0], e[1]) switch
            {
                ('S', 'P') => '@',
                ('B', 'P') => '*',
                ('R', 'F') => '&',
                ('L', 'T') => '<',
                ('G', 'T') => '>',
                ('L', 'P') => '(',
                ('R', 'P') => ')',
                _ => '\0',
            };
            if (c == '\0' && e[0] == 'u' && len > 3)
            {
                escapeLen = 3;
                int Hex(char h) => h is >= '0' and <= '9' ? h - '0' : h is >= 'a' and <= 'f' ? h - 'a' + 10 : -1;
                var hi = Hex(e[1]);
                var lo = Hex(e[2]);
                if (hi < 0 || lo < 0 || hi > 7)
                {
                    return '\0';
                }

                c = (char)((hi << 4) | lo);
                if (c < 0x20)
                {
                    return '\0';
                }
            }
        }

        if (c == '\0' || len <= escapeLen || e[escapeLen] != '$')
        {
            return '\0';
        }

        outLen = 2 + escapeLen;
        return c;
    }

    /// <summary>cplus_demangle_v3 with DMGL_PARAMS|DMGL_ANSI (and DMGL_VERBOSE when <paramref name="verbose"/>); null on failure.</summary>
    private static string? DemangleCxx(string mangled, bool verbose)
    {
        if (mangled.Length < 2)
        {
            return null;
        }

        var isMangled = mangled[0] == '_' && mangled[1] == 'Z';
        var globalKind = Kind.Name;
        if (!isMangled)
        {
            if (mangled.Length >= 11 && mangled.StartsWith("_GLOBAL_", StringComparison.Ordinal)
                && mangled[8] is '.' or '_' or '$' && mangled[9] is 'D' or 'I' && mangled[10] == '_')
            {
                globalKind = mangled[9] == 'I' ? Kind.GlobalConstructors : Kind.GlobalDestructors;
            }
            else
            {
                return null;
            }
        }

        // libiberty sizes its component array at twice the length and refuses more than DEMANGLE_RECURSION_LIMIT.
        if (2L * mangled.Length > 2048)
        {
            return null;
        }

        try
        {
            var result = Run(mangled, verbose, globalKind, isMangled, 1, out var retry);
            return result is null && retry ? Run(mangled, verbose, globalKind, isMangled, 0, out _) : result;
        }
        catch (InsufficientExecutionStackException)
        {
            return null;
        }
        catch (OutputTooLong)
        {
            return null;
        }
    }

    private static string? Run(string mangled, bool verbose, Kind globalKind, bool isMangled, int unresolvedState, out bool retry)
    {
        {
            var p = new Parser(mangled, verbose) { UnresolvedNameState = unresolvedState };
            retry = false;
            Node? dc;
            if (isMangled)
            {
                dc = p.MangledName(true);
            }
            else
            {
                p.Advance(11);
                var inner = p.DemangleMangledNameAt();
                dc = p.Make(globalKind, inner, null);
                p.Pos = mangled.Length;
            }

            if (dc is not null && p.Peek() != '\0')
            {
                dc = null;
            }

            if (dc is null)
            {
                retry = p.UnresolvedNameState == -1;
                return null;
            }

            var printer = new Printer();
            printer.Print(dc);
            return printer.Failed ? null : printer.Text;
        }
    }

    private sealed class OutputTooLong : Exception;

    private enum Kind
    {
        Name, QualName, LocalName, TypedName, TaggedName, Template, TemplateParam, FunctionParam, Ctor, Dtor,
        Vtable, Vtt, ConstructionVtable, Typeinfo, TypeinfoName, TypeinfoFn, Thunk, VirtualThunk, CovariantThunk,
        JavaClass, Guard, TlsInit, TlsWrapper, Reftemp, HiddenAlias, SubStd, Restrict, Volatile, Const,
        RestrictThis, VolatileThis, ConstThis, ReferenceThis, RvalueReferenceThis, TransactionSafe, Noexcept,
        ThrowSpec, VendorTypeQual, Pointer, Reference, RvalueReference, Complex, Imaginary, BuiltinType, VendorType,
        FunctionType, ArrayType, PtrmemType, VectorType, ArgList, TemplateArgList, InitializerList,
        Operator, ExtendedOperator, Cast, Conversion, Nullary, Unary, Binary, BinaryArgs, Trinary, TrinaryArg1,
        TrinaryArg2, Literal, LiteralNeg, JavaResource, CompoundName, Character, Number, Decltype, GlobalConstructors,
        GlobalDestructors, Lambda, DefaultArg, UnnamedType, TransactionClone, NontransactionClone, PackExpansion,
        Clone, TparmObj, StructuredBinding, ExtendedBuiltinType,
    }

    private enum PrintKind { Default, Int, Unsigned, Long, UnsignedLong, LongLong, UnsignedLongLong, Bool, Float, Void }

    private sealed record Builtin(string Name, PrintKind Print);

    private sealed record Op(string Code, string Name, int Args);

    private sealed class Node(Kind kind)
    {
        public Kind Kind = kind;
        public Node? L;
        public Node? R;
        public string? Str;
        public int Num;
        public Op? Op;
        public Builtin? Builtin;
        public int Printing;
        public char Suffix;
    }

    private static readonly Builtin?[] Builtins =
    [
        new("signed char", PrintKind.Default), new("bool", PrintKind.Bool), new("char", PrintKind.Default),
        new("double", PrintKind.Float), new("long double", PrintKind.Float), new("float", PrintKind.Float),
        new("__float128", PrintKind.Float), new("unsigned char", PrintKind.Default), new("int", PrintKind.Int),
        new("unsigned int", PrintKind.Unsigned), null, new("long", PrintKind.Long),
        new("unsigned long", PrintKind.UnsignedLong), new("__int128", PrintKind.Default),
        new("unsigned __int128", PrintKind.Default), null, null, null, new("short", PrintKind.Default),
        new("unsigned short", PrintKind.Default), null, new("void", PrintKind.Void), new("wchar_t", PrintKind.Default),
        new("long long", PrintKind.LongLong), new("unsigned long long", PrintKind.UnsignedLongLong),
        new("...", PrintKind.Default),
    ];

    private static readonly Builtin Decimal32 = new("decimal32", PrintKind.Default);
    private static readonly Builtin Decimal64 = new("decimal64", PrintKind.Default);
    private static readonly Builtin Decimal128 = new("decimal128", PrintKind.Default);
    private static readonly Builtin Half = new("half", PrintKind.Float);
    private static readonly Builtin Char8 = new("char8_t", PrintKind.Default);
    private static readonly Builtin Char16 = new("char16_t", PrintKind.Default);
    private static readonly Builtin Char32 = new("char32_t", PrintKind.Default);
    private static readonly Builtin NullptrT = new("decltype(nullptr)", PrintKind.Default);
    private static readonly Builtin Bfloat16 = new("std::bfloat16_t", PrintKind.Float);
    private static readonly Builtin FloatN = new("_Float", PrintKind.Float);

    private static readonly Op[] Operators =
    [
        new("aN", "&=", 2), new("aS", "=", 2), new("aa", "&&", 2), new("ad", "&", 1), new("an", "&", 2),
        new("at", "alignof ", 1), new("aw", "co_await ", 1), new("az", "alignof ", 1), new("cc", "const_cast", 2),
        new("cl", "()", 2), new("cm", ",", 2), new("co", "~", 1), new("dV", "/=", 2), new("dX", "[...]=", 3),
        new("da", "delete[] ", 1), new("dc", "dynamic_cast", 2), new("de", "*", 1), new("di", "=", 2),
        new("dl", "delete ", 1), new("ds", ".*", 2), new("dt", ".", 2), new("dv", "/", 2), new("dx", "]=", 2),
        new("eO", "^=", 2), new("eo", "^", 2), new("eq", "==", 2), new("fL", "...", 3), new("fR", "...", 3),
        new("fl", "...", 2), new("fr", "...", 2), new("ge", ">=", 2), new("gs", "::", 1), new("gt", ">", 2),
        new("ix", "[]", 2), new("lS", "<<=", 2), new("le", "<=", 2), new("li", "operator\"\" ", 1),
        new("ls", "<<", 2), new("lt", "<", 2), new("mI", "-=", 2), new("mL", "*=", 2), new("mi", "-", 2),
        new("ml", "*", 2), new("mm", "--", 1), new("na", "new[]", 3), new("ne", "!=", 2), new("ng", "-", 1),
        new("nt", "!", 1), new("nw", "new", 3), new("nx", "noexcept", 1), new("oR", "|=", 2), new("oo", "||", 2),
        new("or", "|", 2), new("pL", "+=", 2), new("pl", "+", 2), new("pm", "->*", 2), new("pp", "++", 1),
        new("ps", "+", 1), new("pt", "->", 2), new("qu", "?", 3), new("rM", "%=", 2), new("rS", ">>=", 2),
        new("rc", "reinterpret_cast", 2), new("rm", "%", 2), new("rs", ">>", 2), new("sP", "sizeof...", 1),
        new("sZ", "sizeof...", 1), new("sc", "static_cast", 2), new("ss", "<=>", 2), new("st", "sizeof ", 1),
        new("sz", "sizeof ", 1), new("tr", "throw", 0), new("tw", "throw ", 1),
    ];

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsUpper(char c) => c is >= 'A' and <= 'Z';

    private static bool IsLower(char c) => c is >= 'a' and <= 'z';

    /// <summary>const_cast, dynamic_cast, static_cast, reinterpret_cast: printed as cast&lt;type&gt;(expr).</summary>
    private static bool OpIsNewCast(Node op)
    {
        var code = op.Op!.Code;
        return code[1] == 'c' && code[0] is 's' or 'd' or 'c' or 'r';
    }

    private static bool IsFnQual(Kind k) => k is Kind.RestrictThis or Kind.VolatileThis or Kind.ConstThis
        or Kind.ReferenceThis or Kind.RvalueReferenceThis or Kind.TransactionSafe or Kind.Noexcept or Kind.ThrowSpec;

    private sealed class Parser(string s, bool verbose)
    {
        public int Pos;
        public int UnresolvedNameState = 1;
        private readonly int _numComps = 2 * s.Length;
        private int _nextComp;
        private readonly List<Node> _subs = [];
        private Node? _lastName;
        private bool _isExpression;
        private bool _isConversion;
        private int _recursion;

        public char Peek() => Pos < s.Length ? s[Pos] : '\0';

        private char PeekNext() => Pos + 1 < s.Length ? s[Pos + 1] : '\0';

        private char PeekAt(int i) => Pos + i < s.Length ? s[Pos + i] : '\0';

        public void Advance(int n) => Pos = Math.Min(s.Length, Pos + n);

        private char Next()
        {
            if (Pos >= s.Length)
            {
                return '\0';
            }

            return s[Pos++];
        }

        private bool Check(char c)
        {
            if (Peek() == c && c != '\0')
            {
                Pos++;
                return true;
            }

            return false;
        }

        private Node? Empty(Kind k)
        {
            if (_nextComp >= _numComps)
            {
                return null;
            }

            _nextComp++;
            return new Node(k);
        }

        public Node? Make(Kind k, Node? left, Node? right)
        {
            switch (k)
            {
                case Kind.QualName or Kind.LocalName or Kind.TypedName or Kind.TaggedName or Kind.Template
                    or Kind.ConstructionVtable or Kind.VendorTypeQual or Kind.PtrmemType or Kind.Unary or Kind.Binary
                    or Kind.BinaryArgs or Kind.Trinary or Kind.TrinaryArg1 or Kind.Literal or Kind.LiteralNeg
                    or Kind.CompoundName or Kind.VectorType or Kind.Clone:
                    if (left is null || right is null)
                    {
                        return null;
                    }

                    break;
                case Kind.Vtable or Kind.Vtt or Kind.Typeinfo or Kind.TypeinfoName or Kind.TypeinfoFn or Kind.Thunk
                    or Kind.VirtualThunk or Kind.CovariantThunk or Kind.JavaClass or Kind.Guard or Kind.TlsInit
                    or Kind.TlsWrapper or Kind.Reftemp or Kind.HiddenAlias or Kind.TransactionClone
                    or Kind.NontransactionClone or Kind.Pointer or Kind.Reference or Kind.RvalueReference or Kind.Complex
                    or Kind.Imaginary or Kind.VendorType or Kind.Cast or Kind.Conversion or Kind.JavaResource
                    or Kind.Decltype or Kind.PackExpansion or Kind.GlobalConstructors or Kind.GlobalDestructors
                    or Kind.Nullary or Kind.TrinaryArg2 or Kind.TparmObj or Kind.StructuredBinding:
                    if (left is null)
                    {
                        return null;
                    }

                    break;
                case Kind.ArrayType or Kind.InitializerList:
                    if (right is null)
                    {
                        return null;
                    }

                    break;
                case Kind.FunctionType or Kind.Restrict or Kind.Volatile or Kind.Const or Kind.ArgList
                    or Kind.TemplateArgList:
                    break;
                default:
                    if (IsFnQual(k))
                    {
                        break;
                    }

                    return null;
            }

            var p = Empty(k);
            if (p is not null)
            {
                p.L = left;
                p.R = right;
            }

            return p;
        }

        private Node? MakeName(string text)
        {
            if (text.Length == 0)
            {
                return null;
            }

            var p = Empty(Kind.Name);
            if (p is not null)
            {
                p.Str = text;
            }

            return p;
        }

        private Node? MakeBuiltin(Builtin b)
        {
            var p = Empty(Kind.BuiltinType);
            if (p is not null)
            {
                p.Builtin = b;
            }

            return p;
        }

        private Node? MakeSub(string text)
        {
            var p = Empty(Kind.SubStd);
            if (p is not null)
            {
                p.Str = text;
            }

            return p;
        }

        private Node? MakeNum(Kind k, int n, Node? sub = null)
        {
            var p = Empty(k);
            if (p is not null)
            {
                p.Num = n;
                p.L = sub;
            }

            return p;
        }

        private bool AddSub(Node? dc)
        {
            if (dc is null || _subs.Count >= s.Length)
            {
                return false;
            }

            _subs.Add(dc);
            return true;
        }

        /// <summary>d_make_demangle_mangled_name: after a _GLOBAL_ prefix, an encoding or a plain name.</summary>
        public Node? DemangleMangledNameAt()
        {
            if (Peek() != '_' || PeekNext() != 'Z')
            {
                var rest = s[Pos..];
                return MakeName(rest);
            }

            Advance(2);
            return Encoding(false);
        }

        public Node? MangledName(bool topLevel)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            if (!Check('_') && topLevel)
            {
                return null;
            }

            if (!Check('Z'))
            {
                return null;
            }

            var p = Encoding(topLevel);
            if (topLevel)
            {
                while (Peek() == '.' && (IsLower(PeekNext()) || PeekNext() == '_' || IsDigit(PeekNext())))
                {
                    p = CloneSuffix(p);
                }
            }

            return p;
        }

        private Node? CloneSuffix(Node? encoding)
        {
            var start = Pos;
            var end = Pos;
            char At(int i) => i < s.Length ? s[i] : '\0';
            if (At(end) == '.' && (IsLower(At(end + 1)) || At(end + 1) == '_' || IsDigit(At(end + 1))))
            {
                end += 2;
                while (IsLower(At(end)) || IsDigit(At(end)) || At(end) == '_')
                {
                    end++;
                }
            }

            while (At(end) == '.' && IsDigit(At(end + 1)))
            {
                end += 2;
                while (IsDigit(At(end)))
                {
                    end++;
                }
            }

            Advance(end - start);
            var n = MakeName(s[start..end]);
            return Make(Kind.Clone, encoding, n);
        }

        private static bool HasReturnType(Node? dc)
        {
            while (true)
            {
                if (dc is null)
                {
                    return false;
                }

                switch (dc.Kind)
                {
                    case Kind.LocalName:
                        dc = dc.R;
                        continue;
                    case Kind.Template:
                        return !IsCtorDtorOrConversion(dc.L);
                    default:
                        if (IsFnQual(dc.Kind))
                        {
                            dc = dc.L;
                            continue;
                        }

                        return false;
                }
            }
        }

        private static bool IsCtorDtorOrConversion(Node? dc)
        {
            while (true)
            {
                if (dc is null)
                {
                    return false;
                }

                switch (dc.Kind)
                {
                    case Kind.QualName or Kind.LocalName:
                        dc = dc.R;
                        continue;
                    case Kind.Ctor or Kind.Dtor or Kind.Conversion:
                        return true;
                    default:
                        return false;
                }
            }
        }

        private Node? Encoding(bool topLevel)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            var peek = Peek();
            if (peek is 'G' or 'T')
            {
                return SpecialName();
            }

            var dc = Name();
            if (dc is null)
            {
                return null;
            }

            peek = Peek();
            if (peek != '\0' && peek != 'E')
            {
                var ftype = BareFunctionType(HasReturnType(dc));
                if (ftype is null)
                {
                    return null;
                }

                if (!topLevel && dc.Kind == Kind.LocalName && ftype.Kind == Kind.FunctionType)
                {
                    ftype.L = null;
                }

                dc = Make(Kind.TypedName, dc, ftype);
            }

            return dc;
        }

        private Node? AbiTags(Node? dc)
        {
            var hold = _lastName;
            while (Peek() == 'B')
            {
                Advance(1);
                var tag = SourceName();
                dc = Make(Kind.TaggedName, dc, tag);
            }

            _lastName = hold;
            return dc;
        }

        private Node? Name()
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            var peek = Peek();
            Node? dc;
            switch (peek)
            {
                case 'N':
                    return NestedName();
                case 'Z':
                    return LocalName();
                case 'U':
                    return UnqualifiedName(null);
                case 'S':
                {
                    bool subst;
                    if (PeekNext() != 't')
                    {
                        dc = Substitution(false);
                        subst = true;
                    }
                    else
                    {
                        Advance(2);
                        dc = Make(Kind.QualName, MakeName("std"), UnqualifiedName(null));
                        subst = false;
                    }

                    if (Peek() == 'I')
                    {
                        if (!subst && !AddSub(dc))
                        {
                            return null;
                        }

                        dc = Make(Kind.Template, dc, TemplateArgs());
                    }

                    return dc;
                }
                default:
                    dc = UnqualifiedName(null);
                    if (Peek() == 'I')
                    {
                        if (!AddSub(dc))
                        {
                            return null;
                        }

                        dc = Make(Kind.Template, dc, TemplateArgs());
                    }

                    return dc;
            }
        }

        private Node? NestedName()
        {
            if (!Check('N'))
            {
                return null;
            }

            Node? ret = null;
            var chain = CvQualifiers(true, out var innermost, out var ok);
            if (!ok)
            {
                return null;
            }

            var rqual = RefQualifier(null);
            var prefix = Prefix();
            if (prefix is null)
            {
                return null;
            }

            if (innermost is null)
            {
                ret = prefix;
            }
            else
            {
                innermost.L = prefix;
                ret = chain;
            }

            if (rqual is not null)
            {
                rqual.L = ret;
                ret = rqual;
            }

            if (!Check('E'))
            {
                return null;
            }

            return ret;
        }

        private Node? Prefix(bool subst = true)
        {
            Node? ret = null;
            while (true)
            {
                var peek = Peek();
                if (peek == '\0')
                {
                    return null;
                }

                var comb = Kind.QualName;
                Node? dc;
                if (peek == 'D')
                {
                    var peek2 = PeekNext();
                    dc = peek2 is 'T' or 't' ? Type() : UnqualifiedName(null);
                }
                else if (IsDigit(peek) || IsLower(peek) || peek is 'C' or 'U' or 'L')
                {
                    dc = UnqualifiedName(null);
                }
                else if (peek == 'S')
                {
                    dc = Substitution(true);
                }
                else if (peek == 'I')
                {
                    if (ret is null)
                    {
                        return null;
                    }

                    comb = Kind.Template;
                    dc = TemplateArgs();
                }
                else if (peek == 'T')
                {
                    dc = TemplateParam();
                }
                else if (peek == 'E')
                {
                    return ret;
                }
                else if (peek == 'M')
                {
                    if (ret is null)
                    {
                        return null;
                    }

                    Advance(1);
                    continue;
                }
                else
                {
                    return null;
                }

                if (ret is null)
                {
                    ret = dc;
                }
                else
                {
                    ret = Make(comb, ret, dc);
                }

                if (subst && peek != 'S' && Peek() != 'E')
                {
                    if (!AddSub(ret))
                    {
                        return null;
                    }
                }
            }
        }

        private Node? UnqualifiedName(Node? scope)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            Node? ret;
            var peek = Peek();
            if (IsDigit(peek))
            {
                ret = SourceName();
            }
            else if (IsLower(peek))
            {
                var wasExpression = _isExpression;
                if (peek == 'o' && PeekNext() == 'n')
                {
                    Advance(2);

                    // "on cv" names a conversion operator, also inside an expression.
                    _isExpression = false;
                }

                ret = OperatorName();
                _isExpression = wasExpression;
                if (ret is not null && ret.Kind == Kind.Operator && ret.Op!.Code == "li")
                {
                    ret = Make(Kind.Unary, ret, SourceName());
                }
            }
            else if (peek == 'D' && PeekNext() == 'C')
            {
                // Structured binding: DC <source-name>+ E.
                Advance(2);
                Node? list = null;
                Node? tail = null;
                do
                {
                    if (!AppendCell(Kind.TemplateArgList, SourceName(), ref list, ref tail))
                    {
                        return null;
                    }
                }
                while (!Check('E'));

                ret = Make(Kind.StructuredBinding, list, null);
            }
            else if (peek is 'C' or 'D')
            {
                ret = CtorDtorName();
            }
            else if (peek == 'L')
            {
                Advance(1);
                ret = SourceName();
                if (ret is null)
                {
                    return null;
                }

                if (!Discriminator())
                {
                    return null;
                }
            }
            else if (peek == 'U')
            {
                switch (PeekNext())
                {
                    case 'l':
                        ret = Lambda();
                        break;
                    case 't':
                        ret = UnnamedType();
                        break;
                    default:
                        return null;
                }
            }
            else
            {
                return null;
            }

            if (Peek() == 'B')
            {
                ret = AbiTags(ret);
            }

            if (scope is not null)
            {
                ret = Make(Kind.QualName, scope, ret);
            }

            return ret;
        }

        private Node? SourceName()
        {
            var len = Number();
            if (len <= 0)
            {
                return null;
            }

            var ret = Identifier(len);
            _lastName = ret;
            return ret;
        }

        private int Number()
        {
            var negative = false;
            var peek = Peek();
            if (peek == 'n')
            {
                negative = true;
                Advance(1);
                peek = Peek();
            }

            var ret = 0;
            while (true)
            {
                if (!IsDigit(peek))
                {
                    return negative ? -ret : ret;
                }

                if (ret > (int.MaxValue - (peek - '0')) / 10)
                {
                    return -1;
                }

                ret = ret * 10 + (peek - '0');
                Advance(1);
                peek = Peek();
            }
        }

        private Node? NumberComponent()
        {
            var p = Empty(Kind.Number);
            if (p is not null)
            {
                p.Num = Number();
            }

            return p;
        }

        private Node? Identifier(int len)
        {
            var start = Pos;
            if (s.Length - start < len)
            {
                return null;
            }

            Advance(len);
            if (len >= 10 && string.CompareOrdinal(s, start, "_GLOBAL_", 0, 8) == 0)
            {
                var c = s[start + 8];
                if (c is '.' or '_' or '$' && s[start + 9] == 'N')
                {
                    return MakeName("(anonymous namespace)");
                }
            }

            return MakeName(s.Substring(start, len));
        }

        private Node? OperatorName()
        {
            var c1 = Next();
            var c2 = Next();
            if (c1 == 'v' && IsDigit(c2))
            {
                var name = SourceName();
                if (name is null)
                {
                    return null;
                }

                var p = Empty(Kind.ExtendedOperator);
                if (p is not null)
                {
                    p.Num = c2 - '0';
                    p.L = name;
                }

                return p;
            }

            if (c1 == 'c' && c2 == 'v')
            {
                var was = _isConversion;
                _isConversion = !_isExpression;
                var type = Type();
                var res = _isConversion ? Make(Kind.Conversion, type, null) : Make(Kind.Cast, type, null);
                _isConversion = was;
                return res;
            }

            int lo = 0, hi = Operators.Length;
            while (lo < hi)
            {
                var i = lo + (hi - lo) / 2;
                var op = Operators[i];
                if (c1 == op.Code[0] && c2 == op.Code[1])
                {
                    var p = Empty(Kind.Operator);
                    if (p is not null)
                    {
                        p.Op = op;
                    }

                    return p;
                }

                if (c1 < op.Code[0] || (c1 == op.Code[0] && c2 < op.Code[1]))
                {
                    hi = i;
                }
                else
                {
                    lo = i + 1;
                }
            }

            return null;
        }

        private Node? JavaResource()
        {
            Node? p = null;
            var len = Number();
            if (len <= 1)
            {
                return null;
            }

            if (Next() != '_')
            {
                return null;
            }

            len--;
            while (len > 0)
            {
                var c = Peek();
                if (c == '\0')
                {
                    return null;
                }

                Node? next;
                if (c == '$')
                {
                    var e = PeekNext();
                    char ch;
                    switch (e)
                    {
                        case 'S':
                            ch = '/';
                            break;
                        case '_':
                            ch = '.';
                            break;
                        case '$':
                            ch = '$';
                            break;
                        default:
                            return null;
                    }

                    next = Empty(Kind.Character);
                    if (next is not null)
                    {
                        next.Num = ch;
                    }

                    Advance(2);
                    len -= 2;
                }
                else
                {
                    var i = 0;
                    while (i < len && PeekAt(i) != '\0' && PeekAt(i) != '$')
                    {
                        i++;
                    }

                    next = MakeName(s.Substring(Pos, i));
                    Advance(i);
                    len -= i;
                }

                if (next is null)
                {
                    return null;
                }

                p = p is null ? next : Make(Kind.CompoundName, p, next);
                if (p is null)
                {
                    return null;
                }
            }

            return Make(Kind.JavaResource, p, null);
        }

        private Node? SpecialName()
        {
            if (Check('T'))
            {
                switch (Next())
                {
                    case 'V':
                        return Make(Kind.Vtable, Type(), null);
                    case 'T':
                        return Make(Kind.Vtt, Type(), null);
                    case 'I':
                        return Make(Kind.Typeinfo, Type(), null);
                    case 'S':
                        return Make(Kind.TypeinfoName, Type(), null);
                    case 'h':
                        return CallOffset('h') ? Make(Kind.Thunk, Encoding(false), null) : null;
                    case 'v':
                        return CallOffset('v') ? Make(Kind.VirtualThunk, Encoding(false), null) : null;
                    case 'c':
                        if (!CallOffset('\0') || !CallOffset('\0'))
                        {
                            return null;
                        }

                        return Make(Kind.CovariantThunk, Encoding(false), null);
                    case 'C':
                    {
                        var derived = Type();
                        var offset = Number();
                        if (offset < 0)
                        {
                            return null;
                        }

                        if (!Check('_'))
                        {
                            return null;
                        }

                        var baseType = Type();
                        return Make(Kind.ConstructionVtable, baseType, derived);
                    }

                    case 'F':
                        return Make(Kind.TypeinfoFn, Type(), null);
                    case 'J':
                        return Make(Kind.JavaClass, Type(), null);
                    case 'H':
                        return Make(Kind.TlsInit, Name(), null);
                    case 'W':
                        return Make(Kind.TlsWrapper, Name(), null);
                    case 'A':
                        return Make(Kind.TparmObj, TemplateArg(), null);
                    default:
                        return null;
                }
            }

            if (Check('G'))
            {
                switch (Next())
                {
                    case 'V':
                        return Make(Kind.Guard, Name(), null);
                    case 'R':
                    {
                        var name = Name();
                        return Make(Kind.Reftemp, name, NumberComponent());
                    }

                    case 'A':
                        return Make(Kind.HiddenAlias, Encoding(false), null);
                    case 'T':
                        return Next() == 'n'
                            ? Make(Kind.NontransactionClone, Encoding(false), null)
                            : Make(Kind.TransactionClone, Encoding(false), null);
                    case 'r':
                        return JavaResource();
                    default:
                        return null;
                }
            }

            return null;
        }

        private bool CallOffset(char c)
        {
            if (c == '\0')
            {
                c = Next();
            }

            if (c == 'h')
            {
                Number();
            }
            else if (c == 'v')
            {
                Number();
                if (!Check('_'))
                {
                    return false;
                }

                Number();
            }
            else
            {
                return false;
            }

            return Check('_');
        }

        private Node? CtorDtorName()
        {
            switch (Peek())
            {
                case 'C':
                {
                    var inheriting = false;
                    if (PeekNext() == 'I')
                    {
                        inheriting = true;
                        Advance(1);
                    }

                    int kind;
                    switch (PeekNext())
                    {
                        case >= '1' and <= '5':
                            kind = PeekNext() - '0';
                            break;
                        default:
                            return null;
                    }

                    Advance(2);
                    if (inheriting)
                    {
                        Type();
                    }

                    return _lastName is null ? null : MakeNum(Kind.Ctor, kind, _lastName);
                }

                case 'D':
                {
                    int kind;
                    switch (PeekNext())
                    {
                        case '0' or '1' or '2' or '4' or '5':
                            kind = PeekNext() - '0';
                            break;
                        default:
                            return null;
                    }

                    Advance(2);
                    return _lastName is null ? null : MakeNum(Kind.Dtor, kind, _lastName);
                }

                default:
                    return null;
            }
        }

        private bool NextIsTypeQual()
        {
            var peek = Peek();
            if (peek is 'r' or 'V' or 'K')
            {
                return true;
            }

            if (peek == 'D')
            {
                peek = PeekNext();
                if (peek is 'x' or 'o' or 'O' or 'w')
                {
                    return true;
                }
            }

            return false;
        }

        public Node? Type()
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            Node? ret;
            if (NextIsTypeQual())
            {
                var chain = CvQualifiers(false, out var innermost, out var ok);
                if (!ok || innermost is null)
                {
                    return null;
                }

                var inner = Peek() == 'F' ? FunctionType() : Type();
                if (inner is null)
                {
                    return null;
                }

                innermost.L = inner;
                ret = chain;
                if (inner.Kind is Kind.RvalueReferenceThis or Kind.ReferenceThis)
                {
                    // Move the ref-qualifier outside the cv-qualifiers so that they print in the right order.
                    var fn = inner.L;
                    inner.L = ret;
                    ret = inner;
                    innermost.L = fn;
                }

                if (!AddSub(ret))
                {
                    return null;
                }

                return ret;
            }

            var canSubst = true;
            var peek = Peek();
            switch (peek)
            {
                case 'a' or 'b' or 'c' or 'd' or 'e' or 'f' or 'g' or 'h' or 'i' or 'j' or 'l' or 'm' or 'n' or 'o'
                    or 's' or 't' or 'v' or 'w' or 'x' or 'y' or 'z':
                    ret = MakeBuiltin(Builtins[peek - 'a']!);
                    canSubst = false;
                    Advance(1);
                    break;
                case 'u':
                    Advance(1);
                    ret = Make(Kind.VendorType, SourceName(), null);
                    break;
                case 'F':
                    ret = FunctionType();
                    break;
                case >= '0' and <= '9' or 'N' or 'Z':
                    ret = Name();
                    break;
                case 'A':
                    ret = ArrayType();
                    break;
                case 'M':
                    ret = PointerToMemberType();
                    break;
                case 'T':
                    ret = TemplateParam();
                    if (Peek() == 'I')
                    {
                        if (!_isConversion)
                        {
                            if (!AddSub(ret))
                            {
                                return null;
                            }

                            ret = Make(Kind.Template, ret, TemplateArgs());
                        }
                        else
                        {
                            var (pos, comps, subs) = (Pos, _nextComp, _subs.Count);
                            var args = TemplateArgs();
                            if (Peek() == 'I')
                            {
                                if (!AddSub(ret))
                                {
                                    return null;
                                }

                                ret = Make(Kind.Template, ret, args);
                            }
                            else
                            {
                                Pos = pos;
                                _nextComp = comps;
                                _subs.RemoveRange(subs, _subs.Count - subs);
                            }
                        }
                    }

                    break;
                case 'S':
                {
                    var pn = PeekNext();
                    if (IsDigit(pn) || pn == '_' || IsUpper(pn))
                    {
                        ret = Substitution(false);
                        if (Peek() == 'I')
                        {
                            ret = Make(Kind.Template, ret, TemplateArgs());
                        }
                        else
                        {
                            canSubst = false;
                        }
                    }
                    else
                    {
                        ret = Name();
                        if (ret is not null && ret.Kind == Kind.SubStd)
                        {
                            canSubst = false;
                        }
                    }

                    break;
                }

                case 'O':
                    Advance(1);
                    ret = Make(Kind.RvalueReference, Type(), null);
                    break;
                case 'P':
                    Advance(1);
                    ret = Make(Kind.Pointer, Type(), null);
                    break;
                case 'R':
                    Advance(1);
                    ret = Make(Kind.Reference, Type(), null);
                    break;
                case 'C':
                    Advance(1);
                    ret = Make(Kind.Complex, Type(), null);
                    break;
                case 'G':
                    Advance(1);
                    ret = Make(Kind.Imaginary, Type(), null);
                    break;
                case 'U':
                    Advance(1);
                    ret = SourceName();
                    if (Peek() == 'I')
                    {
                        ret = Make(Kind.Template, ret, TemplateArgs());
                    }

                    ret = Make(Kind.VendorTypeQual, Type(), ret);
                    break;
                case 'D':
                    canSubst = false;
                    Advance(1);
                    peek = Next();
                    switch (peek)
                    {
                        case 'T' or 't':
                            ret = Make(Kind.Decltype, Expression(), null);
                            if (ret is not null && Next() != 'E')
                            {
                                ret = null;
                            }

                            canSubst = true;
                            break;
                        case 'p':
                            ret = Make(Kind.PackExpansion, Type(), null);
                            canSubst = true;
                            break;
                        case 'a':
                            ret = MakeName("auto");
                            break;
                        case 'c':
                            ret = MakeName("decltype(auto)");
                            break;
                        case 'f':
                            ret = MakeBuiltin(Decimal32);
                            break;
                        case 'd':
                            ret = MakeBuiltin(Decimal64);
                            break;
                        case 'e':
                            ret = MakeBuiltin(Decimal128);
                            break;
                        case 'h':
                            ret = MakeBuiltin(Half);
                            break;
                        case 'u':
                            ret = MakeBuiltin(Char8);
                            break;
                        case 's':
                            ret = MakeBuiltin(Char16);
                            break;
                        case 'i':
                            ret = MakeBuiltin(Char32);
                            break;
                        case 'F':
                        {
                            // DF<number>_ _Float<number>, DF<number>x _Float<number>x, DF16b std::bfloat16_t.
                            var arg = Number();
                            if (Peek() == 'b')
                            {
                                if (arg != 16)
                                {
                                    return null;
                                }

                                Advance(1);
                                ret = MakeBuiltin(Bfloat16);
                                break;
                            }

                            var suffix = Peek() == 'x' ? 'x' : '\0';
                            if (suffix == '\0' && Peek() != '_')
                            {
                                return null;
                            }

                            ret = Empty(Kind.ExtendedBuiltinType);
                            if (ret is not null)
                            {
                                ret.Builtin = FloatN;
                                ret.Num = arg;
                                ret.Suffix = suffix;
                            }

                            Advance(1);
                            break;
                        }

                        case 'v':
                            ret = VectorType();
                            canSubst = true;
                            break;
                        case 'n':
                            ret = MakeBuiltin(NullptrT);
                            break;
                        default:
                            return null;
                    }

                    break;
                default:
                    return null;
            }

            if (canSubst && !AddSub(ret))
            {
                return null;
            }

            return ret;
        }

        /// <summary>d_cv_qualifiers: builds the qualifier chain; <paramref name="innermost"/> is the last link,
        /// whose left the caller fills.</summary>
        private Node? CvQualifiers(bool memberFn, out Node? innermost, out bool ok)
        {
            Node? head = null;
            innermost = null;
            ok = true;
            var peek = Peek();
            var links = new List<Node>();
            while (NextIsTypeQual())
            {
                Kind t;
                Node? right = null;
                Advance(1);
                if (peek == 'r')
                {
                    t = memberFn ? Kind.RestrictThis : Kind.Restrict;
                }
                else if (peek == 'V')
                {
                    t = memberFn ? Kind.VolatileThis : Kind.Volatile;
                }
                else if (peek == 'K')
                {
                    t = memberFn ? Kind.ConstThis : Kind.Const;
                }
                else
                {
                    peek = Next();
                    if (peek == 'x')
                    {
                        t = Kind.TransactionSafe;
                    }
                    else if (peek is 'o' or 'O')
                    {
                        t = Kind.Noexcept;
                        if (peek == 'O')
                        {
                            right = Expression();
                            if (right is null || !Check('E'))
                            {
                                ok = false;
                                return null;
                            }
                        }
                    }
                    else if (peek == 'w')
                    {
                        t = Kind.ThrowSpec;
                        right = ParmList();
                        if (right is null || !Check('E'))
                        {
                            ok = false;
                            return null;
                        }
                    }
                    else
                    {
                        ok = false;
                        return null;
                    }
                }

                var n = Make(t, null, right);
                if (n is null)
                {
                    ok = false;
                    return null;
                }

                if (innermost is null)
                {
                    head = n;
                }
                else
                {
                    innermost.L = n;
                }

                innermost = n;
                links.Add(n);
                peek = Peek();
            }

            if (!memberFn && peek == 'F')
            {
                foreach (var n in links)
                {
                    n.Kind = n.Kind switch
                    {
                        Kind.Restrict => Kind.RestrictThis,
                        Kind.Volatile => Kind.VolatileThis,
                        Kind.Const => Kind.ConstThis,
                        _ => n.Kind,
                    };
                }
            }

            return head;
        }

        private Node? RefQualifier(Node? sub)
        {
            var peek = Peek();
            if (peek is 'R' or 'O')
            {
                var t = peek == 'R' ? Kind.ReferenceThis : Kind.RvalueReferenceThis;
                Advance(1);
                return Make(t, sub, null);
            }

            return sub;
        }

        private Node? FunctionType()
        {
            if (_recursion > 2048)
            {
                return null;
            }

            _recursion++;
            Node? ret = null;
            if (Check('F'))
            {
                if (Peek() == 'Y')
                {
                    Advance(1);
                }

                ret = BareFunctionType(true);
                ret = RefQualifier(ret);
                if (!Check('E'))
                {
                    ret = null;
                }
            }

            _recursion--;
            return ret;
        }

        private Node? ParmList()
        {
            Node? head = null;
            Node? tail = null;
            while (true)
            {
                var peek = Peek();
                if (peek is '\0' or 'E' or '.')
                {
                    break;
                }

                if (peek is 'R' or 'O' && PeekNext() == 'E')
                {
                    break;
                }

                if (!AppendCell(Kind.ArgList, Type(), ref head, ref tail))
                {
                    return null;
                }
            }

            if (head is null)
            {
                return null;
            }

            if (head.R is null && head.L!.Kind == Kind.BuiltinType && head.L.Builtin!.Print == PrintKind.Void)
            {
                head.L = null;
            }

            return head;
        }

        private Node? BareFunctionType(bool hasReturnType)
        {
            if (Peek() == 'J')
            {
                Advance(1);
                hasReturnType = true;
            }

            Node? returnType = null;
            if (hasReturnType)
            {
                returnType = Type();
                if (returnType is null)
                {
                    return null;
                }
            }

            var tl = ParmList();
            if (tl is null)
            {
                return null;
            }

            return Make(Kind.FunctionType, returnType, tl);
        }

        private Node? ArrayType()
        {
            if (!Check('A'))
            {
                return null;
            }

            Node? dim;
            var peek = Peek();
            if (peek == '_')
            {
                dim = null;
            }
            else if (IsDigit(peek))
            {
                var start = Pos;
                do
                {
                    Advance(1);
                }
                while (IsDigit(Peek()));

                dim = MakeName(s[start..Pos]);
                if (dim is null)
                {
                    return null;
                }
            }
            else
            {
                dim = Expression();
                if (dim is null)
                {
                    return null;
                }
            }

            if (!Check('_'))
            {
                return null;
            }

            return Make(Kind.ArrayType, dim, Type());
        }

        private Node? VectorType()
        {
            Node? dim;
            if (Peek() == '_')
            {
                Advance(1);
                dim = Expression();
            }
            else
            {
                dim = NumberComponent();
            }

            if (dim is null || !Check('_'))
            {
                return null;
            }

            return Make(Kind.VectorType, dim, Type());
        }

        private Node? PointerToMemberType()
        {
            if (!Check('M'))
            {
                return null;
            }

            var cl = Type();
            if (cl is null)
            {
                return null;
            }

            var mem = Type();
            if (mem is null)
            {
                return null;
            }

            return Make(Kind.PtrmemType, cl, mem);
        }

        private int CompactNumber()
        {
            int num;
            if (Peek() == '_')
            {
                num = 0;
            }
            else if (Peek() == 'n')
            {
                return -1;
            }
            else
            {
                num = Number() + 1;
            }

            if (num < 0 || !Check('_'))
            {
                return -1;
            }

            return num;
        }

        private Node? TemplateParam()
        {
            if (!Check('T'))
            {
                return null;
            }

            var param = CompactNumber();
            return param < 0 ? null : MakeNum(Kind.TemplateParam, param);
        }

        private Node? TemplateArgs()
        {
            if (Peek() != 'I' && Peek() != 'J')
            {
                return null;
            }

            Advance(1);
            return TemplateArgs1();
        }

        private Node? TemplateArgs1()
        {
            var hold = _lastName;
            var list = ListUntil(Kind.TemplateArgList, TemplateArg, 'E');
            if (list is not null)
            {
                // The args' own names are not the last name (d_template_args_1).
                _lastName = hold;
            }

            return list;
        }

        private Node? TemplateArg()
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            switch (Peek())
            {
                case 'X':
                {
                    Advance(1);
                    var ret = Expression();
                    return Check('E') ? ret : null;
                }

                case 'L':
                    return ExprPrimary();
                case 'I' or 'J':
                    return TemplateArgs();
                default:
                    return Type();
            }
        }

        private Node? ExprList(char terminator) => ListUntil(Kind.ArgList, Expression, terminator);

        /// <summary>The items up to the terminator as a chain of kind cells; an empty chain is one empty cell.</summary>
        private Node? ListUntil(Kind kind, Func<Node?> item, char terminator)
        {
            if (Peek() == terminator)
            {
                Advance(1);
                return Make(kind, null, null);
            }

            Node? head = null;
            Node? tail = null;
            do
            {
                if (!AppendCell(kind, item(), ref head, ref tail))
                {
                    return null;
                }
            }
            while (!Check(terminator));

            return head;
        }

        /// <summary>Links a new cell of kind holding item after tail; false where item or the cell is missing.</summary>
        private bool AppendCell(Kind kind, Node? item, ref Node? head, ref Node? tail)
        {
            if (item is null)
            {
                return false;
            }

            var cell = Make(kind, item, null);
            if (cell is null)
            {
                return false;
            }

            if (tail is null)
            {
                head = cell;
            }
            else
            {
                tail.R = cell;
            }

            tail = cell;
            return true;
        }

        private Node? Expression()
        {
            var was = _isExpression;
            _isExpression = true;
            var ret = Expression1();
            _isExpression = was;
            return ret;
        }

        private Node? Expression1()
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            var peek = Peek();
            if (peek == 'L')
            {
                return ExprPrimary();
            }

            if (peek == 'T')
            {
                return TemplateParam();
            }

            if (peek == 's' && PeekNext() == 'r')
            {
                // d_unresolved_name: first try the new "sr <qualifier-level>+ E <base-unresolved-name>" reading;
                // the whole name is parsed again with the old "sr <type> <base-unresolved-name>" one if that fails.
                Advance(2);
                peek = Peek();
                Node? type;
                if (UnresolvedNameState != 0 && (IsDigit(peek) || IsLower(peek) || peek is 'C' or 'U' or 'L'))
                {
                    UnresolvedNameState = -1;
                    type = Prefix(false);
                    if (Peek() == 'E')
                    {
                        Advance(1);
                    }
                }
                else
                {
                    type = Type();
                }

                var name = UnqualifiedName(type);
                if (Peek() == 'I')
                {
                    name = Make(Kind.Template, name, TemplateArgs());
                }

                return name;
            }

            if (peek == 's' && PeekNext() == 'p')
            {
                Advance(2);
                return Make(Kind.PackExpansion, Expression1(), null);
            }

            if (peek == 'f' && PeekNext() == 'p')
            {
                int index;
                Advance(2);
                if (Peek() == 'T')
                {
                    Advance(1);
                    index = 0;
                }
                else
                {
                    index = CompactNumber();
                    if (index == int.MaxValue || index == -1)
                    {
                        return null;
                    }

                    index++;
                }

                return MakeNum(Kind.FunctionParam, index);
            }

            if (IsDigit(peek) || (peek == 'o' && PeekNext() == 'n'))
            {
                if (peek == 'o')
                {
                    Advance(2);
                }

                var name = UnqualifiedName(null);
                if (name is null)
                {
                    return null;
                }

                return Peek() == 'I' ? Make(Kind.Template, name, TemplateArgs()) : name;
            }

            if (peek is 'i' or 't' && PeekNext() == 'l')
            {
                Node? type = null;
                Advance(2);
                if (peek == 't')
                {
                    type = Type();
                }

                if (Peek() == '\0' || PeekNext() == '\0')
                {
                    return null;
                }

                return Make(Kind.InitializerList, type, ExprList('E'));
            }

            var op = OperatorName();
            if (op is null)
            {
                return null;
            }

            string? code = null;
            if (op.Kind == Kind.Operator)
            {
                code = op.Op!.Code;
                if (code == "st")
                {
                    return Make(Kind.Unary, op, Type());
                }
            }

            int args;
            switch (op.Kind)
            {
                case Kind.Operator:
                    args = op.Op!.Args;
                    break;
                case Kind.ExtendedOperator:
                    args = op.Num;
                    break;
                case Kind.Cast:
                    args = 1;
                    break;
                default:
                    return null;
            }

            switch (args)
            {
                case 0:
                    return Make(Kind.Nullary, op, null);
                case 1:
                {
                    Node? operand;
                    var suffix = false;
                    if (code is not null && (code[0] == 'p' || code[0] == 'm') && code[1] == code[0])
                    {
                        suffix = !Check('_');
                    }

                    if (op.Kind == Kind.Cast && Check('_'))
                    {
                        operand = ExprList('E');
                    }
                    else if (code == "sP")
                    {
                        operand = TemplateArgs1();
                    }
                    else
                    {
                        operand = Expression1();
                    }

                    if (suffix)
                    {
                        operand = Make(Kind.BinaryArgs, operand, operand);
                    }

                    return Make(Kind.Unary, op, operand);
                }

                case 2:
                {
                    if (code is null)
                    {
                        return null;
                    }

                    Node? left;
                    Node? right;
                    if (OpIsNewCast(op))
                    {
                        left = Type();
                    }
                    else if (code[0] == 'f')
                    {
                        left = OperatorName();
                    }
                    else if (code == "di")
                    {
                        left = UnqualifiedName(null);
                    }
                    else
                    {
                        left = Expression1();
                    }

                    if (code == "cl")
                    {
                        right = ExprList('E');
                    }
                    else if (code is "dt" or "pt")
                    {
                        right = UnqualifiedName(null);
                        if (Peek() == 'I')
                        {
                            right = Make(Kind.Template, right, TemplateArgs());
                        }
                    }
                    else
                    {
                        right = Expression1();
                    }

                    return Make(Kind.Binary, op, Make(Kind.BinaryArgs, left, right));
                }

                case 3:
                {
                    if (code is null)
                    {
                        return null;
                    }

                    Node? first;
                    Node? second;
                    Node? third;
                    if (code is "qu" or "dX")
                    {
                        first = Expression1();
                        second = Expression1();
                        third = Expression1();
                        if (third is null)
                        {
                            return null;
                        }
                    }
                    else if (code[0] == 'f')
                    {
                        first = OperatorName();
                        second = Expression1();
                        third = Expression1();
                        if (third is null)
                        {
                            return null;
                        }
                    }
                    else if (code[0] == 'n')
                    {
                        if (code[1] != 'w' && code[1] != 'a')
                        {
                            return null;
                        }

                        first = ExprList('_');
                        second = Type();
                        if (Peek() == 'E')
                        {
                            Advance(1);
                            third = null;
                        }
                        else if (Peek() == 'p' && PeekNext() == 'i')
                        {
                            Advance(2);
                            third = ExprList('E');
                        }
                        else if (Peek() == 'i' && PeekNext() == 'l')
                        {
                            third = Expression1();
                        }
                        else
                        {
                            return null;
                        }
                    }
                    else
                    {
                        return null;
                    }

                    return Make(Kind.Trinary, op, Make(Kind.TrinaryArg1, first, Make(Kind.TrinaryArg2, second, third)));
                }

                default:
                    return null;
            }
        }

        private Node? ExprPrimary()
        {
            if (!Check('L'))
            {
                return null;
            }

            Node? ret;
            if (Peek() is '_' or 'Z')
            {
                ret = MangledName(false);
            }
            else
            {
                var type = Type();
                if (type is null)
                {
                    return null;
                }

                if (type.Kind == Kind.BuiltinType && ReferenceEquals(type.Builtin, NullptrT) && Peek() == 'E')
                {
                    Advance(1);
                    return type;
                }

                var t = Kind.Literal;
                if (Peek() == 'n')
                {
                    t = Kind.LiteralNeg;
                    Advance(1);
                }

                var start = Pos;
                while (Peek() != 'E')
                {
                    if (Peek() == '\0')
                    {
                        return null;
                    }

                    Advance(1);
                }

                ret = Make(t, type, MakeName(s[start..Pos]));
            }

            return Check('E') ? ret : null;
        }

        private Node? LocalName()
        {
            if (!Check('Z'))
            {
                return null;
            }

            var function = Encoding(false);
            if (function is null || !Check('E'))
            {
                return null;
            }

            Node? name;
            if (Peek() == 's')
            {
                Advance(1);
                if (!Discriminator())
                {
                    return null;
                }

                name = MakeName("string literal");
            }
            else
            {
                var num = -1;
                if (Peek() == 'd')
                {
                    Advance(1);
                    num = CompactNumber();
                    if (num < 0)
                    {
                        return null;
                    }
                }

                name = Name();
                if (name is not null && name.Kind != Kind.Lambda && name.Kind != Kind.UnnamedType && !Discriminator())
                {
                    return null;
                }

                if (num >= 0)
                {
                    name = MakeNum(Kind.DefaultArg, num, name);
                }
            }

            if (function.Kind == Kind.TypedName && function.R!.Kind == Kind.FunctionType)
            {
                function.R.L = null;
            }

            return Make(Kind.LocalName, function, name);
        }

        private bool Discriminator()
        {
            if (Peek() != '_')
            {
                return true;
            }

            Advance(1);
            var underscores = 1;
            if (Peek() == '_')
            {
                underscores++;
                Advance(1);
            }

            var discrim = Number();
            if (discrim < 0)
            {
                return false;
            }

            if (underscores > 1 && discrim >= 10)
            {
                if (Peek() == '_')
                {
                    Advance(1);
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        private Node? Lambda()
        {
            if (!Check('U') || !Check('l'))
            {
                return null;
            }

            var tl = ParmList();
            if (tl is null || !Check('E'))
            {
                return null;
            }

            var num = CompactNumber();
            if (num < 0)
            {
                return null;
            }

            return MakeNum(Kind.Lambda, num, tl);
        }

        private Node? UnnamedType()
        {
            if (!Check('U') || !Check('t'))
            {
                return null;
            }

            var num = CompactNumber();
            if (num < 0)
            {
                return null;
            }

            var ret = MakeNum(Kind.UnnamedType, num);
            return AddSub(ret) ? ret : null;
        }

        private static readonly (char Code, string Simple, string Full, string? LastName)[] StandardSubs =
        [
            ('t', "std", "std", null),
            ('a', "std::allocator", "std::allocator", "allocator"),
            ('b', "std::basic_string", "std::basic_string", "basic_string"),
            ('s', "std::string", "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "basic_string"),
            ('i', "std::istream", "std::basic_istream<char, std::char_traits<char> >", "basic_istream"),
            ('o', "std::ostream", "std::basic_ostream<char, std::char_traits<char> >", "basic_ostream"),
            ('d', "std::iostream", "std::basic_iostream<char, std::char_traits<char> >", "basic_iostream"),
        ];

        private Node? Substitution(bool prefix)
        {
            if (!Check('S'))
            {
                return null;
            }

            var c = Next();
            if (c == '_' || IsDigit(c) || IsUpper(c))
            {
                uint id = 0;
                if (c != '_')
                {
                    do
                    {
                        uint newId;
                        if (IsDigit(c))
                        {
                            newId = id * 36 + c - '0';
                        }
                        else if (IsUpper(c))
                        {
                            newId = id * 36 + c - 'A' + 10;
                        }
                        else
                        {
                            return null;
                        }

                        if (newId < id)
                        {
                            return null;
                        }

                        id = newId;
                        c = Next();
                    }
                    while (c != '_');

                    id++;
                }

                if (id >= (uint)_subs.Count)
                {
                    return null;
                }

                return _subs[(int)id];
            }

            var useFull = verbose;
            if (!useFull && prefix)
            {
                var peek = Peek();
                if (peek is 'C' or 'D')
                {
                    useFull = true;
                }
            }

            foreach (var p in StandardSubs)
            {
                if (c != p.Code)
                {
                    continue;
                }

                if (p.LastName is not null)
                {
                    _lastName = MakeSub(p.LastName);
                }

                Node? dc = MakeSub(useFull ? p.Full : p.Simple);
                if (Peek() == 'B')
                {
                    dc = AbiTags(dc);
                    if (!AddSub(dc))
                    {
                        return null;
                    }
                }

                return dc;
            }

            return null;
        }

    }

    private sealed class TemplateLink(Node decl, TemplateLink? next)
    {
        public readonly Node Decl = decl;
        public readonly TemplateLink? Next = next;
    }

    private sealed class Mod
    {
        public Mod? Next;
        public Node ModNode = null!;
        public bool Printed;
        public TemplateLink? Templates;

        public void CopyFrom(Mod o)
        {
            Next = o.Next;
            ModNode = o.ModNode;
            Printed = o.Printed;
            Templates = o.Templates;
        }
    }

    private sealed class Printer
    {
        private readonly StringBuilder _sb = new();
        private char _last;
        private TemplateLink? _templates;
        private Mod? _modifiers;
        private int _recursion;
        private bool _isLambdaArg;
        private int _packIndex;
        private readonly List<Node> _stack = [];
        private readonly List<(Node Container, TemplateLink? Templates)> _scopes = [];
        private Node? _currentTemplate;

        public bool Failed { get; private set; }

        public string Text => _sb.ToString();

        private void Error() => Failed = true;

        private void Append(char c)
        {
            if (_sb.Length >= MaxOutput)
            {
                throw new OutputTooLong();
            }

            _sb.Append(c);
            _last = c;
        }

        private void Append(string s)
        {
            if (s.Length == 0)
            {
                return;
            }

            if (_sb.Length + s.Length > MaxOutput)
            {
                throw new OutputTooLong();
            }

            _sb.Append(s);
            _last = s[^1];
        }

        private void AppendNum(long n) => Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public void Print(Node dc) => Comp(dc);

        private static Node? IndexTemplateArgument(Node? args, int i)
        {
            if (i < 0)
            {
                return args;
            }

            var a = args;
            for (; a is not null; a = a.R)
            {
                if (a.Kind != Kind.TemplateArgList)
                {
                    return null;
                }

                if (i <= 0)
                {
                    break;
                }

                i--;
            }

            if (i != 0 || a is null)
            {
                return null;
            }

            return a.L;
        }

        private Node? LookupTemplateArgument(Node dc)
        {
            if (_templates is null)
            {
                Error();
                return null;
            }

            return IndexTemplateArgument(_templates.Decl.R, dc.Num);
        }

        private Node? FindPack(Node? dc)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            if (dc is null)
            {
                return null;
            }

            switch (dc.Kind)
            {
                case Kind.TemplateParam:
                {
                    var a = LookupTemplateArgument(dc);
                    return a is not null && a.Kind == Kind.TemplateArgList ? a : null;
                }

                case Kind.PackExpansion:
                    return null;
                case Kind.Lambda or Kind.Name or Kind.TaggedName or Kind.Operator or Kind.BuiltinType or Kind.SubStd
                    or Kind.Character or Kind.FunctionParam or Kind.UnnamedType or Kind.DefaultArg
                    or Kind.Number or Kind.ExtendedBuiltinType:
                    return null;
                case Kind.ExtendedOperator or Kind.Ctor or Kind.Dtor:
                    return FindPack(dc.L);
                default:
                    return FindPack(dc.L) ?? FindPack(dc.R);
            }
        }

        private static int PackLength(Node? dc)
        {
            var count = 0;
            while (dc is not null && dc.Kind == Kind.TemplateArgList && dc.L is not null)
            {
                count++;
                dc = dc.R;
            }

            return count;
        }

        private int ArgsLength(Node? dc)
        {
            var count = 0;
            for (; dc is not null && dc.Kind == Kind.TemplateArgList; dc = dc.R)
            {
                var elt = dc.L;
                if (elt is null)
                {
                    break;
                }

                if (elt.Kind == Kind.PackExpansion)
                {
                    count += PackLength(FindPack(elt.L));
                }
                else
                {
                    count++;
                }
            }

            return count;
        }

        private void SubExpr(Node dc)
        {
            var simple = dc.Kind is Kind.Name or Kind.QualName or Kind.InitializerList or Kind.FunctionParam;
            if (!simple)
            {
                Append('(');
            }

            Comp(dc);
            if (!simple)
            {
                Append(')');
            }
        }

        private bool MaybeFold(Node dc)
        {
            var foldCode = dc.L!.Op!.Code;
            if (foldCode[0] != 'f')
            {
                return false;
            }

            var ops = dc.R!;
            var op = ops.L!;
            var op1 = ops.R!;
            Node? op2 = null;
            if (op1.Kind == Kind.TrinaryArg2)
            {
                op2 = op1.R;
                op1 = op1.L!;
            }

            var save = _packIndex;
            _packIndex = -1;
            switch (foldCode[1])
            {
                case 'l':
                    Append("(...");
                    ExprOp(op);
                    SubExpr(op1);
                    Append(')');
                    break;
                case 'r':
                    Append('(');
                    SubExpr(op1);
                    ExprOp(op);
                    Append("...)");
                    break;
                case 'L' or 'R':
                    Append('(');
                    SubExpr(op1);
                    ExprOp(op);
                    Append("...");
                    ExprOp(op);
                    SubExpr(op2!);
                    Append(')');
                    break;
            }

            _packIndex = save;
            return true;
        }

        private static bool IsDesignatedInit(Node dc)
        {
            if (dc.Kind != Kind.Binary && dc.Kind != Kind.Trinary)
            {
                return false;
            }

            var code = dc.L!.Op!.Code;
            return code[0] == 'd' && code[1] is 'i' or 'x' or 'X';
        }

        private bool MaybeDesignatedInit(Node dc)
        {
            if (!IsDesignatedInit(dc))
            {
                return false;
            }

            var code = dc.L!.Op!.Code;
            var operands = dc.R!;
            var op1 = operands.L!;
            var op2 = operands.R!;
            Append(code[1] == 'i' ? '.' : '[');
            Comp(op1);
            if (code[1] == 'X')
            {
                Append(" ... ");
                Comp(op2.L);
                op2 = op2.R!;
            }

            if (code[1] != 'i')
            {
                Append(']');
            }

            if (IsDesignatedInit(op2))
            {
                Comp(op2);
            }
            else
            {
                Append('=');
                SubExpr(op2);
            }

            return true;
        }

        private void Comp(Node? dc)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            if (dc is null || dc.Printing > 1 || _recursion > 1024)
            {
                Error();
                return;
            }

            dc.Printing++;
            _recursion++;
            _stack.Add(dc);
            CompInner(dc);
            _stack.RemoveAt(_stack.Count - 1);
            dc.Printing--;
            _recursion--;
        }

        private void CompInner(Node dc)
        {
            Node? modInner = null;
            TemplateLink? savedTemplates = null;
            var needTemplateRestore = false;
            if (Failed)
            {
                return;
            }

            switch (dc.Kind)
            {
                case Kind.Name:
                    Append(dc.Str!);
                    return;
                case Kind.TaggedName:
                    Comp(dc.L);
                    Append("[abi:");
                    Comp(dc.R);
                    Append(']');
                    return;
                case Kind.StructuredBinding:
                    Append('[');
                    Comp(dc.L);
                    Append(']');
                    return;
                case Kind.QualName or Kind.LocalName:
                {
                    Comp(dc.L);
                    Append("::");
                    Comp(DefaultArgScope(dc.R!));
                    return;
                }

                case Kind.TypedName:
                    TypedName(dc);
                    return;
                case Kind.Template:
                {
                    var holdCurrent = _currentTemplate;
                    _currentTemplate = dc;
                    var holdDpm = _modifiers;
                    _modifiers = null;
                    Comp(dc.L);
                    if (_last == '<')
                    {
                        Append(' ');
                    }

                    Append('<');
                    Comp(dc.R);
                    if (_last == '>')
                    {
                        Append(' ');
                    }

                    Append('>');
                    _modifiers = holdDpm;
                    _currentTemplate = holdCurrent;
                    return;
                }

                case Kind.TemplateParam:
                    if (_isLambdaArg)
                    {
                        Append("auto:");
                        AppendNum(dc.Num + 1);
                    }
                    else
                    {
                        var a = LookupTemplateArgument(dc);
                        if (a is not null && a.Kind == Kind.TemplateArgList)
                        {
                            a = IndexTemplateArgument(a, _packIndex);
                        }

                        if (a is null)
                        {
                            Error();
                            return;
                        }

                        var hold = _templates!;
                        _templates = hold.Next;
                        Comp(a);
                        _templates = hold;
                    }

                    return;
                case Kind.TparmObj:
                    Append("template parameter object for ");
                    Comp(dc.L);
                    return;
                case Kind.Ctor:
                    Comp(dc.L);
                    return;
                case Kind.Dtor:
                    Append('~');
                    Comp(dc.L);
                    return;
                case Kind.Vtable:
                    Prefixed("vtable for ", dc.L);
                    return;
                case Kind.Vtt:
                    Prefixed("VTT for ", dc.L);
                    return;
                case Kind.ConstructionVtable:
                    Append("construction vtable for ");
                    Comp(dc.L);
                    Append("-in-");
                    Comp(dc.R);
                    return;
                case Kind.Typeinfo:
                    Prefixed("typeinfo for ", dc.L);
                    return;
                case Kind.TypeinfoName:
                    Prefixed("typeinfo name for ", dc.L);
                    return;
                case Kind.TypeinfoFn:
                    Prefixed("typeinfo fn for ", dc.L);
                    return;
                case Kind.Thunk:
                    Prefixed("non-virtual thunk to ", dc.L);
                    return;
                case Kind.VirtualThunk:
                    Prefixed("virtual thunk to ", dc.L);
                    return;
                case Kind.CovariantThunk:
                    Prefixed("covariant return thunk to ", dc.L);
                    return;
                case Kind.JavaClass:
                    Prefixed("java Class for ", dc.L);
                    return;
                case Kind.Guard:
                    Prefixed("guard variable for ", dc.L);
                    return;
                case Kind.TlsInit:
                    Prefixed("TLS init function for ", dc.L);
                    return;
                case Kind.TlsWrapper:
                    Prefixed("TLS wrapper function for ", dc.L);
                    return;
                case Kind.Reftemp:
                    Append("reference temporary #");
                    Comp(dc.R);
                    Append(" for ");
                    Comp(dc.L);
                    return;
                case Kind.HiddenAlias:
                    Prefixed("hidden alias for ", dc.L);
                    return;
                case Kind.TransactionClone:
                    Prefixed("transaction clone for ", dc.L);
                    return;
                case Kind.NontransactionClone:
                    Prefixed("non-transaction clone for ", dc.L);
                    return;
                case Kind.SubStd:
                    Append(dc.Str!);
                    return;
                case Kind.Restrict or Kind.Volatile or Kind.Const:
                    for (var p = _modifiers; p is not null; p = p.Next)
                    {
                        if (!p.Printed)
                        {
                            if (p.ModNode.Kind is not (Kind.Restrict or Kind.Volatile or Kind.Const))
                            {
                                break;
                            }

                            if (p.ModNode.Kind == dc.Kind)
                            {
                                Comp(dc.L);
                                return;
                            }
                        }
                    }

                    goto Modifier;
                case Kind.Reference or Kind.RvalueReference:
                {
                    var sub = dc.L!;
                    if (!_isLambdaArg && sub.Kind == Kind.TemplateParam)
                    {
                        var scope = GetSavedScope(sub);
                        if (scope is null)
                        {
                            _scopes.Add((sub, _templates));
                        }
                        else
                        {
                            var found = false;
                            for (var i = _stack.Count - 1; i >= 0; i--)
                            {
                                var e = _stack[i];
                                if (ReferenceEquals(e, sub) || (ReferenceEquals(e, dc) && i != _stack.Count - 1))
                                {
                                    found = true;
                                    break;
                                }
                            }

                            if (!found)
                            {
                                savedTemplates = _templates;
                                _templates = scope.Value.Templates;
                                needTemplateRestore = true;
                            }
                        }

                        var a = LookupTemplateArgument(sub);
                        if (a is not null && a.Kind == Kind.TemplateArgList)
                        {
                            a = IndexTemplateArgument(a, _packIndex);
                        }

                        if (a is null)
                        {
                            if (needTemplateRestore)
                            {
                                _templates = savedTemplates;
                            }

                            Error();
                            return;
                        }

                        sub = a;
                    }

                    if (sub.Kind == Kind.Reference || sub.Kind == dc.Kind)
                    {
                        dc = sub;
                    }
                    else if (sub.Kind == Kind.RvalueReference)
                    {
                        modInner = sub.L;
                    }

                    goto Modifier;
                }

                case Kind.VendorTypeQual or Kind.Pointer or Kind.Complex or Kind.Imaginary:
                    goto Modifier;
                case Kind.BuiltinType:
                    Append(dc.Builtin!.Name);
                    return;
                case Kind.ExtendedBuiltinType:
                    Append(dc.Builtin!.Name);
                    AppendNum(dc.Num);
                    if (dc.Suffix != '\0')
                    {
                        Append(dc.Suffix);
                    }

                    return;
                case Kind.VendorType:
                    Comp(dc.L);
                    return;
                case Kind.FunctionType:
                {
                    if (dc.L is not null)
                    {
                        var dpm = new Mod { Next = _modifiers, ModNode = dc, Templates = _templates };
                        _modifiers = dpm;
                        Comp(dc.L);
                        _modifiers = dpm.Next;
                        if (dpm.Printed)
                        {
                            return;
                        }

                        Append(' ');
                    }

                    FunctionTypeTail(dc, _modifiers);
                    return;
                }

                case Kind.ArrayType:
                {
                    var holdModifiers = _modifiers;
                    var adpm = new Mod[4];
                    adpm[0] = new Mod { Next = holdModifiers, ModNode = dc, Templates = _templates };
                    _modifiers = adpm[0];
                    var i = 1;
                    var pdpm = holdModifiers;
                    while (pdpm is not null && pdpm.ModNode.Kind is Kind.Restrict or Kind.Volatile or Kind.Const)
                    {
                        if (!pdpm.Printed)
                        {
                            if (i >= adpm.Length)
                            {
                                Error();
                                return;
                            }

                            adpm[i] = new Mod();
                            adpm[i].CopyFrom(pdpm);
                            adpm[i].Next = _modifiers;
                            _modifiers = adpm[i];
                            pdpm.Printed = true;
                            i++;
                        }

                        pdpm = pdpm.Next;
                    }

                    Comp(dc.R);
                    _modifiers = holdModifiers;
                    if (adpm[0].Printed)
                    {
                        return;
                    }

                    while (i > 1)
                    {
                        i--;
                        PrintMod(adpm[i].ModNode);
                    }

                    ArrayTypeTail(dc, _modifiers);
                    return;
                }

                case Kind.PtrmemType or Kind.VectorType:
                {
                    var dpm = new Mod { Next = _modifiers, ModNode = dc, Templates = _templates };
                    _modifiers = dpm;
                    Comp(dc.R);
                    if (!dpm.Printed)
                    {
                        PrintMod(dc);
                    }

                    _modifiers = dpm.Next;
                    return;
                }

                case Kind.ArgList or Kind.TemplateArgList:
                    if (dc.L is not null)
                    {
                        Comp(dc.L);
                    }

                    if (dc.R is not null)
                    {
                        Append(", ");
                        var len = _sb.Length;
                        Comp(dc.R);
                        if (_sb.Length == len)
                        {
                            // Nothing printed (an empty pack): take back the comma; ld's last-char memory keeps ' '.
                            _sb.Length -= 2;
                        }
                    }

                    return;
                case Kind.InitializerList:
                    if (dc.L is not null)
                    {
                        Comp(dc.L);
                    }

                    Append('{');
                    Comp(dc.R);
                    Append('}');
                    return;
                case Kind.Operator:
                {
                    var name = dc.Op!.Name;
                    Append("operator");
                    if (IsLower(name[0]))
                    {
                        Append(' ');
                    }

                    Append(name[^1] == ' ' ? name[..^1] : name);
                    return;
                }

                case Kind.ExtendedOperator:
                    Append("operator ");
                    Comp(dc.L);
                    return;
                case Kind.Conversion:
                    Append("operator ");
                    Conversion(dc);
                    return;
                case Kind.Nullary:
                    ExprOp(dc.L!);
                    return;
                case Kind.Unary:
                    Unary(dc);
                    return;
                case Kind.Binary:
                    Binary(dc);
                    return;
                case Kind.BinaryArgs or Kind.TrinaryArg1 or Kind.TrinaryArg2:
                    Error();
                    return;
                case Kind.Trinary:
                {
                    if (dc.R!.Kind != Kind.TrinaryArg1 || dc.R.R!.Kind != Kind.TrinaryArg2)
                    {
                        Error();
                        return;
                    }

                    if (MaybeFold(dc) || MaybeDesignatedInit(dc))
                    {
                        return;
                    }

                    var op = dc.L!;
                    var first = dc.R.L!;
                    var second = dc.R.R.L!;
                    var third = dc.R.R.R;
                    if (op.Op!.Code == "qu")
                    {
                        SubExpr(first);
                        ExprOp(op);
                        SubExpr(second);
                        Append(" : ");
                        SubExpr(third!);
                    }
                    else
                    {
                        Append("new ");
                        if (first.L is not null)
                        {
                            SubExpr(first);
                            Append(' ');
                        }

                        Comp(second);
                        if (third is not null)
                        {
                            SubExpr(third);
                        }
                    }

                    return;
                }

                case Kind.Literal or Kind.LiteralNeg:
                    Literal(dc);
                    return;
                case Kind.Number:
                    AppendNum(dc.Num);
                    return;
                case Kind.JavaResource:
                    Prefixed("java resource ", dc.L);
                    return;
                case Kind.CompoundName:
                    Comp(dc.L);
                    Comp(dc.R);
                    return;
                case Kind.Character:
                    Append((char)dc.Num);
                    return;
                case Kind.Decltype:
                    Append("decltype (");
                    Comp(dc.L);
                    Append(')');
                    return;
                case Kind.PackExpansion:
                {
                    var a = FindPack(dc.L);
                    if (a is null)
                    {
                        SubExpr(dc.L!);
                        Append("...");
                        return;
                    }

                    var len = PackLength(a);
                    var pattern = dc.L;
                    for (var i = 0; i < len; i++)
                    {
                        _packIndex = i;
                        Comp(pattern);
                        if (i < len - 1)
                        {
                            Append(", ");
                        }
                    }

                    return;
                }

                case Kind.FunctionParam:
                    if (dc.Num == 0)
                    {
                        Append("this");
                    }
                    else
                    {
                        Append("{parm#");
                        AppendNum(dc.Num);
                        Append('}');
                    }

                    return;
                case Kind.GlobalConstructors:
                    Prefixed("global constructors keyed to ", dc.L);
                    return;
                case Kind.GlobalDestructors:
                    Prefixed("global destructors keyed to ", dc.L);
                    return;
                case Kind.Lambda:
                    Append("{lambda(");
                    var wasLambda = _isLambdaArg;
                    _isLambdaArg = true;
                    Comp(dc.L);
                    _isLambdaArg = wasLambda;
                    Append(")#");
                    AppendNum(dc.Num + 1);
                    Append('}');
                    return;
                case Kind.UnnamedType:
                    Append("{unnamed type#");
                    AppendNum(dc.Num + 1);
                    Append('}');
                    return;
                case Kind.Clone:
                    Comp(dc.L);
                    Append(" [clone ");
                    Comp(dc.R);
                    Append(']');
                    return;
                default:
                    if (IsFnQual(dc.Kind))
                    {
                        goto Modifier;
                    }

                    Error();
                    return;
            }

        Modifier:
            {
                var dpm = new Mod { Next = _modifiers, ModNode = dc, Templates = _templates };
                _modifiers = dpm;
                modInner ??= dc.L;
                Comp(modInner);
                if (!dpm.Printed)
                {
                    PrintMod(dc);
                }

                _modifiers = dpm.Next;
                if (needTemplateRestore)
                {
                    _templates = savedTemplates;
                }
            }
        }

        private (Node Container, TemplateLink? Templates)? GetSavedScope(Node container)
        {
            foreach (var s in _scopes)
            {
                if (ReferenceEquals(s.Container, container))
                {
                    return s;
                }
            }

            return null;
        }

        private void Prefixed(string text, Node? dc)
        {
            Append(text);
            Comp(dc);
        }

        /// <summary>A local name's default-argument scope prints before the name it holds; returns that name.</summary>
        private Node DefaultArgScope(Node dc)
        {
            if (dc.Kind != Kind.DefaultArg)
            {
                return dc;
            }

            Append("{default arg#");
            AppendNum(dc.Num + 1);
            Append("}::");
            return dc.L!;
        }

        private void TypedName(Node dc)
        {
            var holdModifiers = _modifiers;
            _modifiers = null;
            var adpm = new Mod[4];
            var i = 0;
            var typedName = dc.L;
            while (typedName is not null)
            {
                if (i >= adpm.Length)
                {
                    Error();
                    return;
                }

                adpm[i] = new Mod { Next = _modifiers, ModNode = typedName, Templates = _templates };
                _modifiers = adpm[i];
                i++;
                if (!IsFnQual(typedName.Kind))
                {
                    break;
                }

                typedName = typedName.L;
            }

            if (typedName is null)
            {
                Error();
                return;
            }

            if (typedName.Kind == Kind.LocalName)
            {
                typedName = typedName.R!;
                if (typedName.Kind == Kind.DefaultArg)
                {
                    typedName = typedName.L;
                }

                while (typedName is not null && IsFnQual(typedName.Kind))
                {
                    if (i >= adpm.Length)
                    {
                        Error();
                        return;
                    }

                    adpm[i] = new Mod();
                    adpm[i].CopyFrom(adpm[i - 1]);
                    adpm[i].Next = adpm[i - 1];
                    _modifiers = adpm[i];
                    adpm[i - 1].ModNode = typedName;
                    adpm[i - 1].Printed = false;
                    adpm[i - 1].Templates = _templates;
                    i++;
                    typedName = typedName.L;
                }

                if (typedName is null)
                {
                    Error();
                    return;
                }
            }

            var isTemplate = typedName.Kind == Kind.Template;
            var hold = _templates;
            if (isTemplate)
            {
                _templates = new TemplateLink(typedName, _templates);
            }

            Comp(dc.R);
            if (isTemplate)
            {
                _templates = hold;
            }

            while (i > 0)
            {
                i--;
                if (!adpm[i].Printed)
                {
                    Append(' ');
                    PrintMod(adpm[i].ModNode);
                }
            }

            _modifiers = holdModifiers;
        }

        private void Unary(Node dc)
        {
            var op = dc.L!;
            var operand = dc.R!;
            string? code = null;
            if (op.Kind == Kind.Operator)
            {
                code = op.Op!.Code;
                if (code == "ad" && operand.Kind == Kind.TypedName && operand.L!.Kind == Kind.QualName
                    && operand.R!.Kind == Kind.FunctionType)
                {
                    operand = operand.L;
                }

                if (operand.Kind == Kind.BinaryArgs)
                {
                    SubExpr(operand.L!);
                    ExprOp(op);
                    return;
                }
            }

            if (code == "sZ")
            {
                AppendNum(PackLength(FindPack(operand)));
                return;
            }

            if (code == "sP")
            {
                AppendNum(ArgsLength(operand));
                return;
            }

            if (op.Kind != Kind.Cast)
            {
                ExprOp(op);
            }
            else
            {
                Append('(');
                Comp(op.L);
                Append(')');
            }

            if (code == "gs")
            {
                Comp(operand);
            }
            else if (code == "st")
            {
                Append('(');
                Comp(operand);
                Append(')');
            }
            else
            {
                SubExpr(operand);
            }
        }

        private void Binary(Node dc)
        {
            if (dc.R!.Kind != Kind.BinaryArgs)
            {
                Error();
                return;
            }

            var op = dc.L!;
            if (op.Kind != Kind.Operator)
            {
                Error();
                return;
            }

            if (OpIsNewCast(op))
            {
                ExprOp(op);
                Append('<');
                Comp(dc.R.L);
                Append(">(");
                Comp(dc.R.R);
                Append(')');
                return;
            }

            if (MaybeFold(dc) || MaybeDesignatedInit(dc))
            {
                return;
            }

            var gt = op.Op!.Name == ">";
            if (gt)
            {
                Append('(');
            }

            var code = op.Op.Code;
            if (code == "cl" && dc.R.L!.Kind == Kind.TypedName)
            {
                var func = dc.R.L;
                if (func.R!.Kind != Kind.FunctionType)
                {
                    Error();
                }

                SubExpr(func.L!);
            }
            else
            {
                SubExpr(dc.R.L!);
            }

            if (code == "ix")
            {
                Append('[');
                Comp(dc.R.R);
                Append(']');
            }
            else
            {
                if (code != "cl")
                {
                    ExprOp(op);
                }

                SubExpr(dc.R.R!);
            }

            if (gt)
            {
                Append(')');
            }
        }


        private void Literal(Node dc)
        {
            var tp = PrintKind.Default;
            if (dc.L!.Kind == Kind.BuiltinType)
            {
                tp = dc.L.Builtin!.Print;
                switch (tp)
                {
                    case PrintKind.Int or PrintKind.Unsigned or PrintKind.Long or PrintKind.UnsignedLong
                        or PrintKind.LongLong or PrintKind.UnsignedLongLong:
                        if (dc.R!.Kind == Kind.Name)
                        {
                            if (dc.Kind == Kind.LiteralNeg)
                            {
                                Append('-');
                            }

                            Comp(dc.R);
                            switch (tp)
                            {
                                case PrintKind.Unsigned:
                                    Append('u');
                                    break;
                                case PrintKind.Long:
                                    Append('l');
                                    break;
                                case PrintKind.UnsignedLong:
                                    Append("ul");
                                    break;
                                case PrintKind.LongLong:
                                    Append("ll");
                                    break;
                                case PrintKind.UnsignedLongLong:
                                    Append("ull");
                                    break;
                            }

                            return;
                        }

                        break;
                    case PrintKind.Bool:
                        if (dc.R!.Kind == Kind.Name && dc.R.Str!.Length == 1 && dc.Kind == Kind.Literal)
                        {
                            switch (dc.R.Str[0])
                            {
                                case '0':
                                    Append("false");
                                    return;
                                case '1':
                                    Append("true");
                                    return;
                            }
                        }

                        break;
                }
            }

            Append('(');
            Comp(dc.L);
            Append(')');
            if (dc.Kind == Kind.LiteralNeg)
            {
                Append('-');
            }

            if (tp == PrintKind.Float)
            {
                Append('[');
            }

            Comp(dc.R);
            if (tp == PrintKind.Float)
            {
                Append(']');
            }
        }

        private void ModList(Mod? mods, bool suffix)
        {
            while (true)
            {
                if (mods is null || Failed)
                {
                    return;
                }

                if (mods.Printed || (!suffix && IsFnQual(mods.ModNode.Kind)))
                {
                    mods = mods.Next;
                    continue;
                }

                mods.Printed = true;
                var holdDpt = _templates;
                _templates = mods.Templates;
                var mod = mods.ModNode;
                if (mod.Kind == Kind.FunctionType)
                {
                    FunctionTypeTail(mod, mods.Next);
                    _templates = holdDpt;
                    return;
                }

                if (mod.Kind == Kind.ArrayType)
                {
                    ArrayTypeTail(mod, mods.Next);
                    _templates = holdDpt;
                    return;
                }

                if (mod.Kind == Kind.LocalName)
                {
                    var holdModifiers = _modifiers;
                    _modifiers = null;
                    Comp(mod.L);
                    _modifiers = holdModifiers;
                    Append("::");
                    var dc = DefaultArgScope(mod.R!);
                    while (IsFnQual(dc.Kind))
                    {
                        dc = dc.L!;
                    }

                    Comp(dc);
                    _templates = holdDpt;
                    return;
                }

                PrintMod(mod);
                _templates = holdDpt;
                mods = mods.Next;
            }
        }

        private void PrintMod(Node mod)
        {
            switch (mod.Kind)
            {
                case Kind.Restrict or Kind.RestrictThis:
                    Append(" restrict");
                    return;
                case Kind.Volatile or Kind.VolatileThis:
                    Append(" volatile");
                    return;
                case Kind.Const or Kind.ConstThis:
                    Append(" const");
                    return;
                case Kind.TransactionSafe:
                    Append(" transaction_safe");
                    return;
                case Kind.Noexcept or Kind.ThrowSpec:
                    Append(mod.Kind == Kind.Noexcept ? " noexcept" : " throw");
                    if (mod.R is not null)
                    {
                        Append('(');
                        Comp(mod.R);
                        Append(')');
                    }

                    return;
                case Kind.VendorTypeQual:
                    Append(' ');
                    Comp(mod.R);
                    return;
                case Kind.Pointer:
                    Append('*');
                    return;
                case Kind.ReferenceThis:
                    Append(" &");
                    return;
                case Kind.Reference:
                    Append('&');
                    return;
                case Kind.RvalueReferenceThis:
                    Append(" &&");
                    return;
                case Kind.RvalueReference:
                    Append("&&");
                    return;
                case Kind.Complex:
                    Append(" _Complex");
                    return;
                case Kind.Imaginary:
                    Append(" _Imaginary");
                    return;
                case Kind.PtrmemType:
                    if (_last != '(')
                    {
                        Append(' ');
                    }

                    Comp(mod.L);
                    Append("::*");
                    return;
                case Kind.TypedName:
                    Comp(mod.L);
                    return;
                case Kind.VectorType:
                    Append(" __vector(");
                    Comp(mod.L);
                    Append(')');
                    return;
                default:
                    Comp(mod);
                    return;
            }
        }

        private void FunctionTypeTail(Node dc, Mod? mods)
        {
            var needParen = false;
            var needSpace = false;
            for (var p = mods; p is not null; p = p.Next)
            {
                if (p.Printed)
                {
                    break;
                }

                switch (p.ModNode.Kind)
                {
                    case Kind.Pointer or Kind.Reference or Kind.RvalueReference:
                        needParen = true;
                        break;
                    case Kind.Restrict or Kind.Volatile or Kind.Const or Kind.VendorTypeQual or Kind.Complex
                        or Kind.Imaginary or Kind.PtrmemType:
                        needSpace = true;
                        needParen = true;
                        break;
                }

                if (needParen)
                {
                    break;
                }
            }

            if (needParen)
            {
                if (!needSpace && _last != '(' && _last != '*')
                {
                    needSpace = true;
                }

                if (needSpace && _last != ' ')
                {
                    Append(' ');
                }

                Append('(');
            }

            var holdModifiers = _modifiers;
            _modifiers = null;
            ModList(mods, false);
            if (needParen)
            {
                Append(')');
            }

            Append('(');
            if (dc.R is not null)
            {
                Comp(dc.R);
            }

            Append(')');
            ModList(mods, true);
            _modifiers = holdModifiers;
        }

        private void ArrayTypeTail(Node dc, Mod? mods)
        {
            var needSpace = true;
            if (mods is not null)
            {
                var needParen = false;
                for (var p = mods; p is not null; p = p.Next)
                {
                    if (!p.Printed)
                    {
                        if (p.ModNode.Kind == Kind.ArrayType)
                        {
                            needSpace = false;
                        }
                        else
                        {
                            needParen = true;
                            needSpace = true;
                        }

                        break;
                    }
                }

                if (needParen)
                {
                    Append(" (");
                }

                ModList(mods, false);
                if (needParen)
                {
                    Append(')');
                }
            }

            if (needSpace)
            {
                Append(' ');
            }

            Append('[');
            if (dc.L is not null)
            {
                Comp(dc.L);
            }

            Append(']');
        }

        private void ExprOp(Node dc)
        {
            if (dc.Kind == Kind.Operator)
            {
                Append(dc.Op!.Name);
            }
            else
            {
                Comp(dc);
            }
        }

        private void Conversion(Node dc)
        {
            TemplateLink? outer = null;
            if (_currentTemplate is not null)
            {
                outer = _templates;
                _templates = new TemplateLink(_currentTemplate, _templates);
            }

            if (dc.L!.Kind != Kind.Template)
            {
                Comp(dc.L);
                if (_currentTemplate is not null)
                {
                    _templates = outer;
                }
            }
            else
            {
                Comp(dc.L.L);
                if (_currentTemplate is not null)
                {
                    _templates = outer;
                }

                if (_last == '<')
                {
                    Append(' ');
                }

                Append('<');
                Comp(dc.L.R);
                if (_last == '>')
                {
                    Append(' ');
                }

                Append('>');
            }
        }
    }
}
