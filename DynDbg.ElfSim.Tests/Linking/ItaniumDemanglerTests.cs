using System.Diagnostics;
using System.Text;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// <see cref="ItaniumDemangler"/> against binutils 2.40: hand-picked names with c++filt's output checked in, every
/// C++ (and legacy Rust) symbol of this machine's shared libraries piped through the installed c++filt at once,
/// hostile names, bfd_demangle's prefix and version handling, and ld's own map of clang++ objects with demangling on.
/// c++filt adds DMGL_VERBOSE, ld's map does not; the only difference is the spelling of the standard abbreviations
/// Ss, Si, So, Sd (libiberty's standard_subs), so the corpus is compared in verbose mode and the goldens hold both.
/// </summary>
[TestFixture]
public class ItaniumDemanglerTests
{
    /// <summary>(mangled, c++filt 2.40, ld's map). The mangled name itself where neither demangles it.</summary>
    private static readonly (string Mangled, string CxxFilt, string Map)[] Goldens =
    [
        ("_ZN12_GLOBAL__N_13fooEv", "(anonymous namespace)::foo()", "(anonymous namespace)::foo()"),
        ("_ZZ4mainENKUlvE_clEv", "main::{lambda()#1}::operator()() const", "main::{lambda()#1}::operator()() const"),
        ("_ZZ4mainENKUliE0_clEi", "main::{lambda(int)#2}::operator()(int) const", "main::{lambda(int)#2}::operator()(int) const"),
        ("_ZNKSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE4sizeEv", "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::size() const", "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::size() const"),
        ("_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back(int const&)", "std::vector<int, std::allocator<int> >::push_back(int const&)"),
        ("_Z1fSs", "f(std::basic_string<char, std::char_traits<char>, std::allocator<char> >)", "f(std::string)"),
        ("_ZNSsC1Ev", "std::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string()", "std::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string()"),
        ("_Z1fSoSiSd", "f(std::basic_ostream<char, std::char_traits<char> >, std::basic_istream<char, std::char_traits<char> >, std::basic_iostream<char, std::char_traits<char> >)", "f(std::ostream, std::istream, std::iostream)"),
        ("_ZlsRSoRK3Foo", "operator<<(std::basic_ostream<char, std::char_traits<char> >&, Foo const&)", "operator<<(std::ostream&, Foo const&)"),
        ("_ZN1AcviEv", "A::operator int()", "A::operator int()"),
        ("_ZN3foo3barEv.cold", "foo::bar() [clone .cold]", "foo::bar() [clone .cold]"),
        ("_ZN3foo3barEv.constprop.0.isra.0", "foo::bar() [clone .constprop.0] [clone .isra.0]", "foo::bar() [clone .constprop.0] [clone .isra.0]"),
        ("_ZGVZ4mainE1x", "guard variable for main::x", "guard variable for main::x"),
        ("_ZTV3Foo", "vtable for Foo", "vtable for Foo"),
        ("_ZTI3Foo", "typeinfo for Foo", "typeinfo for Foo"),
        ("_ZTS3Foo", "typeinfo name for Foo", "typeinfo name for Foo"),
        ("_ZTT3Foo", "VTT for Foo", "VTT for Foo"),
        ("_ZThn8_N3Foo3barEv", "non-virtual thunk to Foo::bar()", "non-virtual thunk to Foo::bar()"),
        ("_ZTv0_n24_N3Foo3bazEv", "virtual thunk to Foo::baz()", "virtual thunk to Foo::baz()"),
        ("_ZN1B5fooABB5cxx11Ev", "B::fooAB[abi:cxx11]()", "B::fooAB[abi:cxx11]()"),
        ("_Z1fM1AFivE", "f(int (A::*)())", "f(int (A::*)())"),
        ("_Z1fPFPFivEvE", "f(int (*(*)())())", "f(int (*(*)())())"),
        ("_Z1fRA10_i", "f(int (&) [10])", "f(int (&) [10])"),
        ("_Z1fPKc", "f(char const*)", "f(char const*)"),
        ("_Z1fIJidEEvDpT_", "void f<int, double>(int, double)", "void f<int, double>(int, double)"),
        ("_Z1fILi5EEvv", "void f<5>()", "void f<5>()"),
        ("_Z1fILb1EEvv", "void f<true>()", "void f<true>()"),
        ("_ZN1AIS_IiEEC1Ev", "A<A<int> >::A()", "A<A<int> >::A()"),
        ("_Z1fIiEDTplfp_fp_ET_", "decltype ({parm#1}+{parm#1}) f<int>(int)", "decltype ({parm#1}+{parm#1}) f<int>(int)"),
        ("_ZNKSt8functionIFvvEEclEv", "std::function<void ()>::operator()() const", "std::function<void ()>::operator()() const"),
        ("_ZSt4cout", "std::cout", "std::cout"),
        ("_Z1fv", "f()", "f()"),
        ("_Z1fDn", "f(decltype(nullptr))", "f(decltype(nullptr))"),
        ("_Z1fDv4_f", "f(float __vector(4))", "f(float __vector(4))"),
        ("_ZN5Outer5InnerIiE1fIcEEvT_", "void Outer::Inner<int>::f<char>(char)", "void Outer::Inner<int>::f<char>(char)"),
        ("_GLOBAL__sub_I_main.cpp", "_GLOBAL__sub_I_main.cpp", "_GLOBAL__sub_I_main.cpp"),
        ("_ZZN1A1fEvE1x_0", "A::f()::x", "A::f()::x"),
        ("_Z1fILc65EEvv", "void f<(char)65>()", "void f<(char)65>()"),
        ("_ZNSt8ios_base4InitC1Ev", "std::ios_base::Init::Init()", "std::ios_base::Init::Init()"),
        ("_ZNSt3mapIiSsSt4lessIiESaISt4pairIKiSsEEEixERS3_", "std::map<int, std::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::less<int>, std::allocator<std::pair<int const, std::basic_string<char, std::char_traits<char>, std::allocator<char> > > > >::operator[](int const&)", "std::map<int, std::string, std::less<int>, std::allocator<std::pair<int const, std::string> > >::operator[](int const&)"),
        ("_ZN9__gnu_cxx13new_allocatorIcED2Ev", "__gnu_cxx::new_allocator<char>::~new_allocator()", "__gnu_cxx::new_allocator<char>::~new_allocator()"),
        ("_Z1fIiEvT_S0_", "void f<int>(int, int)", "void f<int>(int, int)"),
        ("_Z1fPVKi", "f(int const volatile*)", "f(int const volatile*)"),
        ("_ZNKR1A1fEv", "A::f() const &", "A::f() const &"),
        ("_ZNO1A1fEv", "A::f() &&", "A::f() &&"),
        ("_Z3foo", "foo", "foo"),
        ("_Z", "_Z", "_Z"),
        ("_ZN3fooE", "foo", "foo"),
        ("_ZN3foo3ba", "_ZN3foo3ba", "_ZN3foo3ba"),
        ("_GLOBAL__I__Z1fv", "global constructors keyed to f()", "global constructors keyed to f()"),
        ("_GLOBAL__D_foo", "global destructors keyed to foo", "global destructors keyed to foo"),
        ("_GLOBAL_$I$_ZN1A1bE", "_GLOBAL_$I$_ZN1A1bE", "_GLOBAL_$I$_ZN1A1bE"),
        ("_GLOBAL__I_", "_GLOBAL__I_", "_GLOBAL__I_"),
        ("_GLOBAL__sub_I_a.cc", "_GLOBAL__sub_I_a.cc", "_GLOBAL__sub_I_a.cc"),
        ("_ZN1AC1Ev.cold.12", "A::A() [clone .cold.12]", "A::A() [clone .cold.12]"),
        ("_Z1fv._omp_fn.0", "f() [clone ._omp_fn.0]", "f() [clone ._omp_fn.0]"),
        ("_ZZ1fvE1a.1", "_ZZ1fvE1a.1", "_ZZ1fvE1a.1"),
        ("_ZTHN3foo1xE", "TLS init function for foo::x", "TLS init function for foo::x"),
        ("_ZTWN3foo1xE", "TLS wrapper function for foo::x", "TLS wrapper function for foo::x"),
        ("_ZGR1x_", "_ZGR1x_", "_ZGR1x_"),
        ("_ZZ1fvEs", "f()::string literal", "f()::string literal"),
        ("_ZZ1fvEs_0", "f()::string literal", "f()::string literal"),
        ("_Z1fIJEEvv", "void f<>()", "void f<>()"),
        ("_ZN1ADCEv", "_ZN1ADCEv", "_ZN1ADCEv"),
        ("_ZDC1a1bE", "[a, b]", "[a, b]"),
        ("_Z1fDF16_", "f(_Float16)", "f(_Float16)"),
        ("_Z1fDF32x", "f(_Float32x)", "f(_Float32x)"),
        ("_Z1fDF16b", "f(std::bfloat16_t)", "f(std::bfloat16_t)"),
        ("_ZN1AUt_E", "A::{unnamed type#1}", "A::{unnamed type#1}"),
        ("_ZN1AUt0_E", "A::{unnamed type#2}", "A::{unnamed type#2}"),
    ];

    [Test]
    public void Goldens_PrintAsCxxFiltAndAsLdsMap()
    {
        foreach (var (mangled, cxxFilt, map) in Goldens)
        {
            (ItaniumDemangler.Demangle(mangled, verbose: true) ?? mangled).Should().Be(cxxFilt, mangled);
            ItaniumDemangler.MapName(mangled, demangle: true).Should().Be(map, mangled);
            ItaniumDemangler.MapName(mangled, demangle: false).Should().Be(mangled);
        }
    }

    [Test]
    public void Goldens_AgreeWithTheInstalledCxxFilt()
    {
        Tools.Require("c++filt");
        var names = Goldens.Select(g => g.Mangled).ToList();
        CxxFilt(names).Should().Equal(Goldens.Select(g => g.CxxFilt));
    }

    /// <summary>Every <c>_Z</c> symbol the shared libraries here define (libstdc++, LLVM, clang, dotnet's native
    /// libraries, ...), fed to c++filt in one batch, one per line; every line must come out the same.</summary>
    [Test]
    public void Corpus_EveryCxxSymbolOfThisMachinesLibraries_AsCxxFilt()
    {
        Tools.Require("c++filt", "nm");
        var libs = new List<string>();
        foreach (var dir in new[] { "/usr/lib", "/usr/lib64", "/usr/share/dotnet", "/usr/lib/dotnet", "/opt" })
        {
            if (Directory.Exists(dir))
            {
                libs.AddRange(EnumerateLibraries(dir));
            }
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var chunk in libs.Distinct().Chunk(200))
        {
            var (_, text, _) = Tools.Run("nm", ["-D", "--defined-only", "--without-symbol-versions", .. chunk]);
            foreach (var line in text.Split('\n'))
            {
                var name = line[(line.LastIndexOf(' ') + 1)..];
                if (name.StartsWith("_Z", StringComparison.Ordinal))
                {
                    names.Add(name);
                }
            }
        }

        if (names.Count < 1000)
        {
            Tools.Missing($"only {names.Count} C++ symbols in this machine's shared libraries (libstdc++6 has thousands)");
        }

        var list = names.ToList();
        var expected = CxxFilt(list);
        var differ = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var ours = ItaniumDemangler.Demangle(list[i], verbose: true) ?? list[i];
            if (ours != expected[i])
            {
                differ.Add($"{list[i]}\n  c++filt: {expected[i]}\n  ours:    {ours}");
            }
        }

        TestContext.Out.WriteLine($"{list.Count} names from {libs.Count} libraries, {list.Count - differ.Count} as c++filt");
        differ.Take(20).Should().BeEmpty($"{differ.Count} of {list.Count} names differ");
    }

    private static IEnumerable<string> EnumerateLibraries(string dir)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var f in Directory.EnumerateFiles(dir, "*.so*", options))
        {
            var name = Path.GetFileName(f);
            if (name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal))
            {
                yield return f;
            }
        }
    }

    /// <summary>c++filt over all names at once, one per line.</summary>
    private static List<string> CxxFilt(IReadOnlyList<string> names)
    {
        var psi = new ProcessStartInfo("c++filt") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var input = new StringBuilder();
        foreach (var n in names)
        {
            input.Append(n).Append('\n');
        }

        p.StandardInput.Write(input.ToString());
        p.StandardInput.Close();
        p.WaitForExit();
        var lines = output.Result.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        lines.Should().HaveCount(names.Count);
        return lines;
    }

    /// <summary>Names built to hurt: as deep as libiberty still prints and just beyond (its print recursion limit),
    /// longer than its 1024-character budget, numbers that overflow, cut off, dangling references, and one whose
    /// substitutions double at every step (2^40 characters: libiberty would try; here it stops at the output cap).</summary>
    [Test]
    public void HostileNames_FailQuickly_OrAgreeWithCxxFilt()
    {
        var hostile = new List<string>
        {
            "_Z1f" + new string('P', 1015) + "i", "_Z1f" + new string('P', 1020) + "i", "_Z1f" + new string('P', 1030) + "i",
            "_Z99999999999999999999fooi", "_Z4fooi" + new string('x', 1020), "_ZN" + string.Concat(Enumerable.Repeat("1a", 600)) + "E",
            "_Z1fIT_EvT_", "_Z1fIJEEvDpT_", "_ZNT_1fEv", "_Z1fS_", "_Z1fS9999999999999_", "_Z1fA99999999999999999999_i", "_ZTVN3foo",
            "_Z1fIiEvT0_", "_ZN", "_ZZ", "_ZL", "_Z1", "_ZSt", "_ZTh", "_ZdlPv", "_ZN1AUlvE_E", "_ZNK",
        };
        var sw = Stopwatch.StartNew();
        foreach (var h in hostile)
        {
            ItaniumDemangler.Demangle(h);
        }

        var doubling = new StringBuilder("_Z1f1AIiiE");
        var previous = "S0_";
        for (var k = 2; k < 40; k++)
        {
            doubling.Append("S_I").Append(previous).Append(previous).Append('E');
            previous = "S" + Base36(k - 1) + "_";
        }

        ItaniumDemangler.Demangle(doubling.ToString()).Should().BeNull("its text would be 2^40 characters");
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        ItaniumDemangler.Demangle("_Z1f" + new string('P', 1015) + "i").Should().StartWith("f(int*");
        ItaniumDemangler.Demangle("_Z1f" + new string('P', 1020) + "i").Should().BeNull("libiberty stops printing at 1024 levels");
        ItaniumDemangler.Demangle("_Z4fooi" + new string('x', 1020)).Should().BeNull("libiberty refuses names over 1024 characters");
        if (Tools.Available("c++filt"))
        {
            CxxFilt(hostile).Should().Equal(hostile.Select(h => ItaniumDemangler.Demangle(h, verbose: true) ?? h));
        }
    }

    private static string Base36(int v)
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var s = "";
        do
        {
            s = digits[v % 36] + s;
            v /= 36;
        }
        while (v > 0);
        return s;
    }

    /// <summary>bfd/bfd.c bfd_demangle: leading dots and dollars set aside and put back, a version suffix cut at the
    /// first '@' and put back, a plain C name left alone.</summary>
    [TestCase("_Z1fv", "f()")]
    [TestCase("._Z1fv", ".f()")]
    [TestCase("..$_Z1fv", "..$f()")]
    [TestCase("_ZNSt8ios_base4InitC1Ev@GLIBCXX_3.4", "std::ios_base::Init::Init()@GLIBCXX_3.4")]
    [TestCase("_Z1fv@@VERS_1", "f()@@VERS_1")]
    [TestCase("init_module", "init_module")]
    [TestCase("_Z", "_Z")]
    [TestCase("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write")]
    public void BfdDemangle_PrefixesAndVersions(string name, string map) =>
        ItaniumDemangler.MapName(name, demangle: true).Should().Be(map);

    private const string Cxx1 = """
        #include <string>
        namespace shapes {
        template <typename T> struct Box { T v; T get() const { return v; } };
        int area(const std::string &name, int w) { return (int)name.size() * w; }
        namespace { int hidden(int x) { return x * 7; } }
        int use_box(int x) { Box<int> b{x}; auto f = [](int y) { return y + 1; }; return f(b.get()) + hidden(x); }
        struct Shape { virtual ~Shape(); virtual int sides() const; };
        Shape::~Shape() {}
        int Shape::sides() const { return 0; }
        }
        std::string greeting("hi");
        int counter;
        """;

    private const string Cxx2 = """
        namespace shapes { int use_box(int); template <typename T> T twice(T v) { return v + v; } }
        int operator""_k(unsigned long long v) { return (int)v * 1000; }
        int run(int v) { return shapes::use_box(v) + shapes::twice<long>(v) + 2_k; }
        """;

    /// <summary>The old string ABI: Ss and So in the name, which ld's map spells std::string and std::ostream.</summary>
    private const string Cxx3 = """
        #include <string>
        #include <ostream>
        std::string show(const std::string &s, std::ostream &o) { o << s; return s + "x"; }
        struct Holder { std::string a; Holder(); ~Holder(); };
        Holder::Holder() : a("q") {}
        Holder::~Holder() {}
        """;

    /// <summary>clang++ objects with namespaces, templates, a lambda, an anonymous namespace, virtual functions
    /// (vtable, typeinfo), std::string in both ABIs and COMDAT groups, linked by ld.bfd and by the engine with
    /// demangling on (ld's default) and off: both maps identical each time.</summary>
    [TestCase(true)]
    [TestCase(false)]
    public void CxxObjects_MapAsLd(bool demangle)
    {
        Tools.Require("clang++");
        LinkComparison.RequireLd(ElfMachine.X86_64);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "cxx-demangle", demangle ? "on" : "off");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.cc"), Cxx1);
        File.WriteAllText(Path.Combine(dir, "b.cc"), Cxx2);
        File.WriteAllText(Path.Combine(dir, "c.cc"), Cxx3);
        var (code, _, err) = Tools.RunIn(dir, "clang++", "-c", "-O1", "-ffunction-sections", "a.cc", "b.cc");
        code.Should().Be(0, err);
        (code, _, err) = Tools.RunIn(dir, "clang++", "-c", "-O1", "-D_GLIBCXX_USE_CXX11_ABI=0", "c.cc");
        code.Should().Be(0, err);
        File.Copy(Path.Combine(TestPaths.Root, "linker", "module.lds"), Path.Combine(dir, "module.lds"), true);
        var o = LinkComparison.Run(dir, "module.lds", ["a.o", "b.o", "c.o"], ElfMachine.X86_64, demangle: demangle);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
        o.MapTextIdentical.Should().BeTrue();
        var map = File.ReadAllText(Path.Combine(dir, "our.map"));
        if (demangle)
        {
            map.Should().Contain("shapes::area(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&, int)");
            map.Should().Contain("shapes::use_box(int)");
            map.Should().Contain("show(std::string const&, std::ostream&)");
        }
        else
        {
            map.Should().Contain("_ZN6shapes7use_boxEi");
        }
    }
}
