using System.Buffers.Binary;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// A module after <c>move_module</c>, <c>simplify_symbols</c> and <c>apply_relocations</c> (6.1
/// kernel/module/main.c, arch/x86/kernel/module.c; reference §2, invariants 33–34): every allocated section's
/// bytes at its final address, relocated by the arch's <see cref="ModuleRelocator"/> (arch/*/kernel/module*.c),
/// including its range checks and refusals; where an arch has none, the absolute pointer types are applied and the
/// rest is counted in <see cref="Notes"/>. Undefined symbols are resolved from <c>kernelSymbols</c> when given (the
/// kernel's exports); without it, relocations against them are left unapplied and counted.
/// </summary>
public sealed class LoadedModule
{
    public const string InvalidTarget = "LDR004";
    public const string UnknownRelocation = "LDR005";
    public const string Overflow = "LDR006";
    public const string UnknownSymbol = "LDR007";
    public const string NoMemory = "LDR009";

    /// <summary>
    /// 6.1 keeps layout sizes in <c>unsigned int</c> and x86_64's module area is about 1.5 GiB; anything past 1 GiB
    /// is refused as module_alloc would (-ENOMEM) instead of being allocated here.
    /// </summary>
    public const ulong MaxRegionSize = 1UL << 30;

    private readonly Dictionary<int, byte[]> _bytes = new();
    private readonly IReadOnlyDictionary<string, ulong>? _kernelSymbols;
    private readonly (ulong Address, int Index, ulong Size)[] _byAddress;
    private readonly byte[] _reserved;

    private LoadedModule(ElfFile file, ModuleLayout layout, ulong coreBase, ulong initBase, IReadOnlyDictionary<string, ulong>? kernelSymbols)
    {
        _kernelSymbols = kernelSymbols;
        File = file;
        Layout = layout;
        CoreBase = coreBase;
        InitBase = initBase;
        Addresses = new ulong[file.Sections.Count];
        _reserved = new byte[layout.CoreReserved]; // move_module's memset of the core: zero until the arch writes it
        foreach (var s in layout.Sections)
        {
            var sec = file.Sections[s.Index];
            // move_module's memcpy. NOBITS sections are zero (memset) and nothing relocates into them, so they
            // get no backing bytes here: their size may be anything the file says.
            var bytes = sec.IsNoBits || s.NoBits ? [] : file.GetContents(sec).ToArray();

            _bytes[s.Index] = bytes;
            Addresses[s.Index] = s.AddressFrom(coreBase, initBase);
        }

        _byAddress = layout.Sections.Where(s => s.Size > 0)
            .Select(s => (Addresses[s.Index], s.Index, s.Size)).OrderBy(x => x.Item1).ToArray();
    }

    public ElfFile File { get; }
    public ModuleLayout Layout { get; }
    public ulong CoreBase { get; }
    public ulong InitBase { get; }

    /// <summary>Final sh_addr of every allocated section (0 for the others).</summary>
    public ulong[] Addresses { get; }

    public int Applied { get; private set; }
    public List<string> Notes { get; } = [];

    /// <summary>
    /// The <see cref="ModuleLayout.CoreReserved"/> bytes at core+0, before the first section, as the arch's relocator
    /// left them (s390's GOT and PLT, <c>me->arch.got_offset</c>/<c>plt_offset</c>); empty where the arch reserves none.
    /// </summary>
    public ReadOnlySpan<byte> Reserved => _reserved;

    /// <summary>The loaded bytes of an allocated section.</summary>
    public ReadOnlySpan<byte> Bytes(int section) => _bytes.TryGetValue(section, out var b) ? b : ReadOnlySpan<byte>.Empty;

    public bool IsLoaded(int section) => _bytes.ContainsKey(section);

    /// <summary>The loaded section containing <paramref name="address"/>, as a location.</summary>
    public ElfLocation? Locate(ulong address)
    {
        int lo = 0, hi = _byAddress.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var (a, index, size) = _byAddress[mid];
            if (address < a)
            {
                hi = mid - 1;
            }
            else if (address - a >= size)
            {
                lo = mid + 1;
            }
            else
            {
                return new ElfLocation(index, address - a);
            }
        }

        return null;
    }

    public static LoadedModule Load(ElfFile file, ModuleLayout layout, ulong coreBase, ulong initBase,
        IReadOnlyDictionary<string, ulong>? kernelSymbols = null)
    {
        if (layout.CoreSize > MaxRegionSize || layout.InitSize > MaxRegionSize)
        {
            throw new LoaderRefusal(NoMemory, file.Path,
                $"{layout.ModuleName}: core 0x{layout.CoreSize:x} / init 0x{layout.InitSize:x} bytes: module_alloc fails", "-ENOMEM");
        }

        var m = new LoadedModule(file, layout, coreBase, initBase, kernelSymbols);
        var values = m.SimplifySymbols(kernelSymbols, out var unresolved);
        m.ApplyRelocations(values, unresolved);
        if (layout.Config is not null)
        {
            JumpLabelModule.Add(m); // the MODULE_STATE_COMING notifier, before init
        }

        return m;
    }

    /// <summary><c>simplify_symbols</c>: st_value += the defining section's final address.</summary>
    private ulong[] SimplifySymbols(IReadOnlyDictionary<string, ulong>? kernelSymbols, out bool[] unresolved)
    {
        // A non-strict layout (an object loaded for the diet checks) may have no symbol table at all: nothing to
        // simplify, and a relocation table then fails on its sh_link (ELF022). AFL++ found the NullReferenceException.
        if (File.SymbolTable is not { } symtab)
        {
            unresolved = [];
            return [];
        }

        var values = new ulong[symtab.Count];
        unresolved = new bool[symtab.Count];
        var missing = new List<string>();
        var percpu = File.Sections.FirstOrDefault(s => s.Name == ".data..percpu" && (s.Flags & ElfConstants.ShfAlloc) != 0)?.Index ?? -1;
        var percpuSymbols = 0;
        for (var i = 1; i < symtab.Count; i++)
        {
            var sym = symtab[i];
            values[i] = sym.Value;
            if (sym.IsCommon)
            {
                var name = symtab.GetName(i);
                if (!name.StartsWith("__gnu_lto", StringComparison.Ordinal))
                {
                    throw new LoaderRefusal("LDR008", File.Path, $"{Layout.ModuleName}: please compile with -fno-common", "-ENOEXEC");
                }
            }
            else if (sym.IsUndefined)
            {
                var name = symtab.GetName(i);
                if (name == "_GLOBAL_OFFSET_TABLE_" && File.Header.Machine == ElfMachine.S390)
                {
                    values[i] = sym.Value; // s390's module_frob_arch_sections made it SHN_ABS: st_value as it is
                }
                else if (kernelSymbols is not null && kernelSymbols.TryGetValue(name, out var v))
                {
                    values[i] = v;
                }
                else if (sym.Binding == ElfConstants.StbWeak || (name == "_GLOBAL_OFFSET_TABLE_" &&
                                                                  File.Header.Machine is ElfMachine.X86_64 or ElfMachine.I386) ||
                         (name == ".TOC." && File.Header.Machine == ElfMachine.Ppc64)) // ppc64's dedotify made it SHN_ABS "TOC."
                {
                    values[i] = 0; // ok if weak or ignored
                }
                else if (kernelSymbols is not null)
                {
                    throw new LoaderRefusal(UnknownSymbol, File.Path, $"{Layout.ModuleName}: Unknown symbol {name} (err -2)", "-ENOENT");
                }
                else
                {
                    unresolved[i] = true;
                    missing.Add(name);
                }
            }
            else if (sym.IsInSection && sym.SectionIndex == percpu)
            {
                // simplify_symbols: mod_percpu(mod) + st_value; where percpu_modalloc put the module's per-cpu copy is
                // not something the image can tell
                unresolved[i] = true;
                percpuSymbols++;
            }
            else if (sym.IsInSection)
            {
                values[i] = sym.Value + Addresses[sym.SectionIndex];
            }
        }

        if (percpuSymbols > 0)
        {
            Notes.Add($"{percpuSymbols} symbols in .data..percpu: their per-cpu area's address is not known, relocations against them not applied");
        }

        if (missing.Count > 0)
        {
            Notes.Add($"{missing.Count} undefined symbols not resolved (no kernel symbol table given), relocations against them not applied");
        }

        return values;
    }

    /// <summary>
    /// <c>apply_relocations</c>: every REL/RELA section whose target is (still) allocated, through the arch's
    /// relocator in the order it walks the table; then what <c>module_finalize</c> writes (ftrace stubs and PLTs).
    /// </summary>
    private void ApplyRelocations(ulong[] values, bool[] unresolved)
    {
        var relocator = Arch.ModuleArch.For(File.Header.Machine)?.CreateRelocator(this) ?? new AbsoluteRelocator(this);
        relocator.FixSymbols(values, unresolved);
        var symtab = File.SymbolTable;
        var skippedUndefined = 0;
        foreach (var rs in File.Sections.Where(s => s.IsRelocation && s.Index > 0))
        {
            if (rs.Info >= (uint)File.Sections.Count || !IsLoaded((int)rs.Info))
            {
                continue;
            }

            var target = (int)rs.Info;
            var length = (ulong)_bytes[target].Length;
            var noBits = Layout.Sections.Any(s => s.Index == target && s.NoBits);
            relocator.BeginTable(rs);
            var ordered = relocator.Order(rs, File.GetRelocations(rs));
            for (var entry = 0; entry < ordered.Length; entry++)
            {
                var r = ordered[entry];
                if (r.Offset >= length && !noBits)
                {
                    continue; // r_offset was checked against sh_size when the table was read
                }

                if (r.SymbolIndex >= (uint)values.Length)
                {
                    throw new ElfFormatException(ErrorIds.RelocationOffset, File.Path, "relocation", r.Offset,
                        $"relocation at r_offset 0x{r.Offset:x} names symbol {r.SymbolIndex} of {values.Length}");
                }

                if (unresolved[r.SymbolIndex])
                {
                    skippedUndefined++;
                    continue;
                }

                var site = new RelocationSite(r, target, Addresses[target] + r.Offset, (int)r.SymbolIndex, symtab![(int)r.SymbolIndex], values[r.SymbolIndex])
                {
                    Table = (rs.Index, entry),
                };
                var bytes = Writable(target);
                relocator.Apply(site, bytes[(int)Math.Min(r.Offset, (ulong)bytes.Length)..]);
            }

            relocator.EndTable(rs);
        }

        if (skippedUndefined > 0)
        {
            Notes.Add($"{skippedUndefined} relocations against unresolved symbols not applied");
        }

        relocator.FinishModule();
    }

    /// <summary>The bytes of a placed section, to write; a NOBITS one (arm64's .plt, ppc64's .stubs) gets its zeroed memory now.</summary>
    internal Span<byte> Writable(int section)
    {
        var b = _bytes[section];
        if (b.Length == 0 && Layout.Sections.FirstOrDefault(s => s.Index == section) is { Size: > 0 } placed)
        {
            _bytes[section] = b = new byte[placed.Size];
        }

        return b;
    }

    /// <summary>The reserved bytes at core+0 (<see cref="Reserved"/>), to write.</summary>
    internal Span<byte> WritableReserved => _reserved;

    /// <summary>A kernel symbol's address from the table the load was given (exports, or /proc/kallsyms), if any.</summary>
    public ulong? KernelSymbol(string name) => _kernelSymbols is not null && _kernelSymbols.TryGetValue(name, out var v) ? v : null;

    internal void CountApplied() => Applied++;
}
