using System.Buffers.Binary;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// A module after <c>move_module</c>, <c>simplify_symbols</c> and <c>apply_relocations</c> (6.1
/// kernel/module/main.c, arch/x86/kernel/module.c; reference §2, invariants 33–34): every allocated section's
/// bytes at its final address, relocated by the arch's rules. x86_64 (RELA) and i386 (REL) follow the kernel
/// exactly, including its refusals; on other machines the absolute pointer types are applied and the rest is
/// counted in <see cref="Notes"/>. Undefined symbols are resolved from <c>kernelSymbols</c> when given (the
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
    private readonly (ulong Address, int Index, ulong Size)[] _byAddress;

    private LoadedModule(ElfFile file, ModuleLayout layout, ulong coreBase, ulong initBase)
    {
        File = file;
        Layout = layout;
        CoreBase = coreBase;
        InitBase = initBase;
        Addresses = new ulong[file.Sections.Count];
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

        var m = new LoadedModule(file, layout, coreBase, initBase);
        var values = m.SimplifySymbols(kernelSymbols, out var unresolved);
        m.ApplyRelocations(values, unresolved);
        return m;
    }

    /// <summary><c>simplify_symbols</c>: st_value += the defining section's final address.</summary>
    private ulong[] SimplifySymbols(IReadOnlyDictionary<string, ulong>? kernelSymbols, out bool[] unresolved)
    {
        var symtab = File.SymbolTable!;
        var values = new ulong[symtab.Count];
        unresolved = new bool[symtab.Count];
        var missing = new List<string>();
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
                if (kernelSymbols is not null && kernelSymbols.TryGetValue(name, out var v))
                {
                    values[i] = v;
                }
                else if (sym.Binding == ElfConstants.StbWeak || (name == "_GLOBAL_OFFSET_TABLE_" &&
                                                                  File.Header.Machine is ElfMachine.X86_64 or ElfMachine.I386))
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
            else if (sym.IsInSection)
            {
                values[i] = sym.Value + Addresses[sym.SectionIndex]; // percpu symbols: base 0 (no per-cpu area here)
            }
        }

        if (missing.Count > 0)
        {
            Notes.Add($"{missing.Count} undefined symbols not resolved (no kernel symbol table given), relocations against them not applied");
        }

        return values;
    }

    /// <summary><c>apply_relocations</c>: every REL/RELA section whose target is (still) allocated.</summary>
    private void ApplyRelocations(ulong[] values, bool[] unresolved)
    {
        var machine = File.Header.Machine;
        var skippedUndefined = 0;
        var notEmulated = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var rs in File.Sections.Where(s => s.IsRelocation && s.Index > 0))
        {
            if (rs.Info >= (uint)File.Sections.Count || !IsLoaded((int)rs.Info))
            {
                continue;
            }

            var table = File.GetRelocations(rs);
            var target = (int)rs.Info;
            var bytes = _bytes[target];
            foreach (var r in table.Entries)
            {
                if (r.Offset >= (ulong)bytes.Length)
                {
                    continue; // r_offset was checked against sh_size when the table was read
                }

                if (unresolved[r.SymbolIndex])
                {
                    skippedUndefined++;
                    continue;
                }

                var loc = Addresses[target] + r.Offset;
                var val = unchecked(values[r.SymbolIndex] + (ulong)r.Addend);
                var place = bytes.AsSpan((int)r.Offset);
                switch (machine)
                {
                    case ElfMachine.X86_64:
                        ApplyX86_64(r, place, val, loc);
                        break;
                    case ElfMachine.I386:
                        ApplyI386(r, place, values[r.SymbolIndex], loc);
                        break;
                    default:
                        if (!ApplyAbsolute(machine, r, place, values[r.SymbolIndex]))
                        {
                            var name = RelocationSemantics.Of(machine, r).Name;
                            notEmulated[name] = notEmulated.GetValueOrDefault(name) + 1;
                        }

                        break;
                }
            }
        }

        if (skippedUndefined > 0)
        {
            Notes.Add($"{skippedUndefined} relocations against unresolved symbols not applied");
        }

        foreach (var (name, count) in notEmulated)
        {
            Notes.Add($"{count} {name} relocations not emulated for {ElfMachineNames.Describe(machine, File.Header.Is64)}");
        }
    }

    /// <summary>arch/x86/kernel/module.c <c>__apply_relocate_add</c>: the place must be zero; 32/32S check overflow.</summary>
    private void ApplyX86_64(in ElfRelocation r, Span<byte> place, ulong val, ulong loc)
    {
        var width = r.Type switch { 1 or 24 => 8, 10 or 11 or 2 or 4 => 4, 0 => 0, _ => -1 };
        if (width < 0)
        {
            throw new LoaderRefusal(UnknownRelocation, File.Path, $"{Layout.ModuleName}: Unknown rela relocation: {r.Type}", "-ENOEXEC");
        }

        if (width == 0)
        {
            return;
        }

        CheckRoom(place, width, r);
        var existing = width == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(place) : BinaryPrimitives.ReadUInt32LittleEndian(place);
        if (existing != 0)
        {
            throw new LoaderRefusal(InvalidTarget, File.Path,
                $"x86/modules: Skipping invalid relocation target, existing value is nonzero for type {r.Type}, loc {loc:x16}, val {val:x}", "-ENOEXEC");
        }

        if (r.Type is 2 or 4 or 24)
        {
            val = unchecked(val - loc); // PC32, PLT32, PC64
        }

        if (width == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(place, val);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(place, (uint)val);
            var overflow = r.Type switch
            {
                10 => val != (uint)val, // R_X86_64_32
                11 => (long)val != (int)(uint)val, // R_X86_64_32S
                _ => false, // PC32/PLT32: the kernel's overflow check is #if 0
            };
            if (overflow)
            {
                throw new LoaderRefusal(Overflow, File.Path, $"overflow in relocation type {r.Type} val {val:x}", "-ENOEXEC");
            }
        }

        Applied++;
    }

    /// <summary>arch/x86/kernel/module.c <c>apply_relocate</c> (REL): the addend is already in the place.</summary>
    private void ApplyI386(in ElfRelocation r, Span<byte> place, ulong symbol, ulong loc)
    {
        if (r.Type is not (1 or 2 or 4))
        {
            throw new LoaderRefusal(UnknownRelocation, File.Path, $"{Layout.ModuleName}: Unknown relocation: {r.Type}", "-ENOEXEC");
        }

        CheckRoom(place, 4, r);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(place);
        value = unchecked(r.Type == 1 ? value + (uint)symbol : value + (uint)symbol - (uint)loc);
        BinaryPrimitives.WriteUInt32LittleEndian(place, value);
        Applied++;
    }

    /// <summary>S + A for the pointer-sized absolute types of the other machines (REL: A from the place).</summary>
    private bool ApplyAbsolute(ElfMachine machine, in ElfRelocation r, Span<byte> place, ulong symbol)
    {
        var sem = RelocationSemantics.Of(machine, r);
        if (sem.Kind == RelocationKind.None)
        {
            return true;
        }

        if (sem.Kind != RelocationKind.Absolute)
        {
            return false;
        }

        CheckRoom(place, sem.Width, r);
        var e = File.Endian;
        var addend = r.HasExplicitAddend ? (ulong)r.Addend : e.Word(place, sem.Width);
        var value = unchecked(symbol + addend);
        if (sem.Width == 8)
        {
            e.Put64(place, value);
        }
        else
        {
            e.Put32(place, (uint)value);
        }

        Applied++;
        return true;
    }

    private void CheckRoom(Span<byte> place, int width, in ElfRelocation r)
    {
        if (place.Length < width)
        {
            throw new ElfFormatException(ErrorIds.RelocationOffset, File.Path, "relocation", r.Offset,
                $"a {width}-byte relocation at r_offset 0x{r.Offset:x} runs past the end of its section");
        }
    }
}
