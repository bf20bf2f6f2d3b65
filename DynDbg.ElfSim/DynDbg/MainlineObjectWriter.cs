using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Writes the relocatable object a mainline kbuild would produce for some compilation units: the strings in an
/// SHF_MERGE|SHF_STRINGS <c>.rodata.str1.1</c>, one <c>struct _ddebug</c> per call site in <c>__dyndbg</c>
/// (<c>__verbose</c> before 5.9) with the four pointer relocations of the target (reference §1.1, invariants 1, 2),
/// a local <c>fn.__UNIQUE_ID_ddebugN</c> object symbol sized as the record per call site, and for a module a
/// <c>.modinfo</c> (name=, vermagic=) and a <c>.gnu.linkonce.this_module</c> holding the name where the loader
/// and <see cref="KernelVersionProbe.ThisModuleName"/> read it. Records are kept as five words each while units
/// stream in, so a million call sites cost tens of MB, not a million objects.
/// </summary>
public static class MainlineObjectWriter
{
    /// <summary>The layout a current distro kernel of the target uses: 6.1, JUMP_LABEL=y.</summary>
    public static DdebugLayout DefaultLayout(ObjectTarget target) =>
        DdebugLayout.Create(DdebugVersion.V61, target.PointerSize, target.BigEndian, true);

    /// <summary>A vermagic of the layout's generation, so the profile detector picks that generation.</summary>
    public static string VerMagic(DdebugLayout layout) => layout.Version switch
    {
        DdebugVersion.V61 => "6.1.0-synth SMP preempt mod_unload modversions ",
        DdebugVersion.V59 => "5.10.0-synth SMP mod_unload modversions ",
        _ => "5.4.0-synth SMP mod_unload modversions ",
    };

    /// <summary>
    /// Builds the object. <paramref name="moduleName"/> null: a built-in object (vmlinux.o or one of its .o's);
    /// otherwise a loadable module of that name.
    /// </summary>
    public static ElfWriter Build(ObjectTarget target, DdebugLayout layout, IEnumerable<CompilationUnit> units, string? moduleName)
    {
        if (layout.PointerSize != target.PointerSize || layout.BigEndian != target.BigEndian)
        {
            throw new ArgumentException($"profile {layout.Name} does not fit a {target.PointerSize * 8}-bit {(target.BigEndian ? "big" : "little")}-endian target", nameof(layout));
        }

        var w = new ElfWriter(target.Identity);
        var strings = new StringPool();
        var rows = new List<Row>();
        var strSec = w.AddSection(".rodata.str1.1", ElfConstants.ShtProgbits,
            ElfConstants.ShfAlloc | ElfConstants.ShfMerge | ElfConstants.ShfStrings, strings);
        strSec.EntSize = 1;
        ElfWriterSection? modinfo = null;
        if (moduleName is not null)
        {
            modinfo = AddModInfo(w, moduleName, VerMagic(layout));
        }

        var records = new RecordContent(layout, target, rows);
        var dyndbg = w.AddSection(layout.SectionName, ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, records);
        dyndbg.AddrAlign = 8;
        var strSym = w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, strSec));
        w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, dyndbg));
        if (modinfo is not null)
        {
            w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, modinfo));
        }

        var size = (ulong)layout.RecordSize;
        foreach (var unit in units)
        {
            w.AddSymbol(new ElfWriterSymbol(Path.GetFileName(unit.SourceName), 0, 0, ElfConstants.StbLocal, ElfConstants.SttFile, null, ElfConstants.ShnAbs));
            strings.BeginUnit();
            var n = 0;
            foreach (var c in unit.Callsites)
            {
                rows.Add(new Row(strings.Global(c.ModName), strings.Global(c.Function), strings.Global(c.FileName),
                    strings.Local(c.Format), Unit(layout, c), c.KeyEnabled));
                w.AddSymbol(new ElfWriterSymbol($"{c.Function}.__UNIQUE_ID_ddebug{n++}", (ulong)(rows.Count - 1) * size, size,
                    ElfConstants.StbLocal, ElfConstants.SttObject, dyndbg));
            }
        }

        // Field f of record i is relocated against the string section symbol + the string's offset.
        // On MIPS64 this is the composite R_MIPS_64 / R_MIPS_NONE / R_MIPS_NONE GCC emits for a .dword (types 2, 3 = 0).
        w.AddRelocations(dyndbg, target.Rela, checked(rows.Count * 4), k =>
        {
            var r = rows[k >> 2];
            var f = k & 3;
            var off = (ulong)(k >> 2) * size + (ulong)(f * layout.PointerSize);
            return new ElfWriterRelocation(off, strSym, target.PointerRelocation, target.Rela ? r.Field(f) : 0);
        });

        if (moduleName is not null)
        {
            AddThisModule(w, target, moduleName);
            AddArchPlaceholders(w, target);
        }

        return w;
    }

    /// <summary>
    /// kbuild's <c>&lt;mod&gt;.mod.o</c> as far as the loader and the decoders need it: <c>.modinfo</c> (name=,
    /// vermagic=) and <c>.gnu.linkonce.this_module</c>; linked with a module's objects it makes them a module.
    /// </summary>
    public static ElfWriter ModulePart(ObjectTarget target, string moduleName, string verMagic)
    {
        var w = new ElfWriter(target.Identity);
        var modinfo = AddModInfo(w, moduleName, verMagic);
        w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, modinfo));
        AddThisModule(w, target, moduleName);
        AddArchPlaceholders(w, target);
        return w;
    }

    private static ElfWriterSection AddModInfo(ElfWriter w, string moduleName, string verMagic) =>
        w.AddSection(".modinfo", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc,
            ElfContent.Of(Encoding.UTF8.GetBytes($"name={moduleName}\0vermagic={verMagic}\0")));

    /// <summary>
    /// The 1-byte sections arch/arm64/include/asm/module.lds.h puts in every arm64 module (.plt and
    /// .text.ftrace_trampoline AX, .init.plt A, as Debian's 6.1 .ko files have them), and arch/arm's (.plt AX,
    /// .init.plt A, as Debian's armmp .ko files have them): without them 6.1's module_frob_arch_sections refuses
    /// the module ("module PLT section(s) missing"). ppc64's asm/module.h adds an empty NOBITS .stubs (AX, align 8)
    /// instead, without which it refuses with "doesn't contain .stubs.".
    /// </summary>
    private static void AddArchPlaceholders(ElfWriter w, ObjectTarget target)
    {
        const ulong ax = ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr;
        (string Name, ulong Flags)[] placeholders = target.Identity.Machine switch
        {
            ElfMachine.AArch64 => [(".plt", ax), (".init.plt", ElfConstants.ShfAlloc), (".text.ftrace_trampoline", ax)],
            ElfMachine.Arm => [(".plt", ax), (".init.plt", ElfConstants.ShfAlloc)],
            _ => [],
        };
        foreach (var (name, flags) in placeholders)
        {
            w.AddSection(name, ElfConstants.ShtProgbits, flags, ElfContent.Of([0]));
        }

        if (target.Identity.Machine == ElfMachine.Ppc64)
        {
            w.AddSection(".stubs", ElfConstants.ShtNobits, ax, ElfContent.Of([])).AddrAlign = 8;
        }
    }

    /// <summary>struct module with the name three pointers in (enum module_state; struct list_head; char name[]).</summary>
    private static void AddThisModule(ElfWriter w, ObjectTarget target, string moduleName)
    {
        var (thisSize, align) = ThisModuleShape(target.Identity.Machine, target.PointerSize);
        var bytes = new byte[thisSize];
        var name = Encoding.UTF8.GetBytes(moduleName);
        const int moduleNameLen = 64 - 8; // MODULE_NAME_LEN = 64 - sizeof(unsigned long) on 64-bit
        if (name.Length >= moduleNameLen)
        {
            throw new ArgumentException($"module name '{moduleName}' is longer than MODULE_NAME_LEN - 1", nameof(moduleName));
        }

        name.CopyTo(bytes, 3 * target.PointerSize);
        var thisModule = w.AddSection(".gnu.linkonce.this_module", ElfConstants.ShtProgbits,
            ElfConstants.ShfAlloc | ElfConstants.ShfWrite, ElfContent.Of(bytes));
        thisModule.AddrAlign = align;
        w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, thisModule));
        w.AddSymbol(new ElfWriterSymbol("__this_module", 0, (ulong)thisSize, ElfConstants.StbGlobal, ElfConstants.SttObject, thisModule));
    }

    /// <summary>sizeof/alignment of 6.1's struct module per arch, as Debian's 6.1 dummy.ko shows them
    /// (riscv64 is not in the cache: taken as arm64's, the other LP64 arch without extra module fields).</summary>
    private static (int Size, ulong Align) ThisModuleShape(ElfMachine machine, int pointerSize) => machine switch
    {
        ElfMachine.S390 => (0x500, 256UL),
        ElfMachine.Ppc64 => (0x400, 128UL),
        ElfMachine.Mips => (0x340, 64UL),
        _ => pointerSize == 4 ? (0x240, 64UL) : (0x380, 64UL),
    };

    private static uint Unit(DdebugLayout layout, Callsite c)
    {
        var unit = (c.LineNo & layout.LineNo.Mask) << layout.LineNo.Shift;
        unit |= (c.Flags & layout.Flags.Mask) << layout.Flags.Shift;
        if (layout.ClassId is { } cls)
        {
            unit |= ((uint)c.ClassId & cls.Mask) << cls.Shift;
        }

        return unit;
    }

    /// <summary>One record: the four string offsets, the bitfield unit, the static key's state.</summary>
    private readonly record struct Row(uint Mod, uint Fn, uint File, uint Fmt, uint Unit, bool Key)
    {
        public uint Field(int f) => f switch { 0 => Mod, 1 => Fn, 2 => File, _ => Fmt };
    }

    /// <summary>
    /// The string section. Module, function and file names are merged object-wide (they repeat across units);
    /// formats only within a unit, as the compiler does — so the pool does not index a million formats.
    /// </summary>
    private sealed class StringPool : ElfContent
    {
        private readonly MemoryStream _bytes = new();
        private readonly Dictionary<string, uint> _global = new(StringComparer.Ordinal);
        private readonly Dictionary<string, uint> _local = new(StringComparer.Ordinal);

        public override ulong Length => (ulong)_bytes.Length;

        public void BeginUnit() => _local.Clear();

        public uint Global(string s) => Intern(_global, s);

        public uint Local(string s) => Intern(_local, s);

        private uint Intern(Dictionary<string, uint> map, string s)
        {
            if (map.TryGetValue(s, out var at))
            {
                return at;
            }

            at = checked((uint)_bytes.Length);
            Span<byte> buf = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(s.Length, 256))];
            var bytes = s.Length <= 256 ? buf[..Encoding.UTF8.GetBytes(s, buf)] : Encoding.UTF8.GetBytes(s);
            if (bytes.Contains((byte)0))
            {
                throw new ArgumentException($"string contains NUL: '{s}'", nameof(s));
            }

            _bytes.Write(bytes);
            _bytes.WriteByte(0);
            map[s] = at;
            return at;
        }

        public override void WriteTo(Stream stream)
        {
            _bytes.Position = 0;
            _bytes.CopyTo(stream);
        }
    }

    /// <summary>The record array, encoded a record at a time while the file is written.</summary>
    private sealed class RecordContent(DdebugLayout layout, ObjectTarget target, List<Row> rows) : ElfContent
    {
        public override ulong Length => (ulong)rows.Count * (ulong)layout.RecordSize;

        public override void WriteTo(Stream stream)
        {
            var e = new ElfEndian(layout.BigEndian);
            var p = layout.PointerSize;
            var rec = new byte[layout.RecordSize];
            foreach (var r in rows)
            {
                Array.Clear(rec);
                if (!target.Rela)
                {
                    // REL (i386, arm): the addend lives in the field itself.
                    for (var f = 0; f < 4; f++)
                    {
                        e.Put32(rec.AsSpan(f * p), r.Field(f));
                    }
                }

                e.Put32(rec.AsSpan(layout.BitfieldOffset), r.Unit);
                if (layout.KeyOffset >= 0 && r.Key)
                {
                    // STATIC_KEY_TRUE_INIT: enabled = 1, type = JUMP_TYPE_TRUE (reference §1.1).
                    e.Put32(rec.AsSpan(layout.KeyOffset), 1);
                    e.PutWord(rec.AsSpan(layout.KeyOffset + p), 1, p);
                }

                stream.Write(rec);
            }
        }
    }
}
