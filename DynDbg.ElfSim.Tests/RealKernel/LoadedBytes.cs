using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// Our relocated core image of each loaded module against the bytes the booted kernel holds there (read through
/// /proc/kcore by init.sh into core/&lt;name&gt;; arm32 has no kcore, so there boot.sh saves it through the qemu
/// monitor). Compared field by field: every relocation
/// applied to a core section, and the sections the arch writes itself (ppc64's .stubs, arm64's PLTs). A field the
/// kernel patched after relocating it (ftrace call sites, jump labels, alternatives, ppc64 feature fixups) is
/// counted apart, by the tables that tell the kernel where to patch, read from our image.
/// </summary>
public sealed class LoadedBytes
{
    public int Modules { get; private set; }
    public int Fields { get; private set; }
    public int Agree { get; private set; }
    public int RuntimePatched { get; private set; }
    public int WritableDiffer { get; private set; }
    public int PerCpu { get; private set; }
    public int WholeSections { get; private set; }
    public List<string> Mismatches { get; } = [];
    public List<string> WritableMismatches { get; } = [];
    public SortedDictionary<string, int> Types { get; } = new(StringComparer.Ordinal);

    public static LoadedBytes Compare(QemuBoot boot, ModuleArchOptions? options = null)
    {
        var truth = boot.Truth;
        var result = new LoadedBytes();
        var config = KernelConfig.FromConfigFile(boot.KernelConfig);
        // kallsyms lists functions only (no CONFIG_KALLSYMS_ALL): data symbols come from the vmlinux with symbols,
        // and those of modules loaded earlier from their own tables at the kernel's addresses
        var symbols = KernelSymbolMap.Read(Path.Combine(truth.Directory, "kallsyms"));
        using (var vmlinux = ElfFile.Open(boot.Vmlinux))
        {
            KernelSymbolMap.Add(vmlinux, symbols);
        }

        foreach (var m in truth.Loaded)
        {
            var dump = Path.Combine(truth.Directory, "core", m.Name);
            if (!File.Exists(dump))
            {
                continue;
            }

            var memory = File.ReadAllBytes(dump);
            using var file = ElfFile.Open(boot.ModulePath(m));
            var layout = ModuleLoader.Layout(file, config, arch: options);
            var kernelSections = truth.Sections(m.Name).ToDictionary(s => s.Name, StringComparer.Ordinal);
            var initBase = layout.Sections.Where(s => s.Region == ModuleRegion.Init && kernelSections.ContainsKey(s.Name))
                .Select(s => kernelSections[s.Name].Address - s.Offset).FirstOrDefault();
            var loaded = LoadedModule.Load(file, layout, truth.CoreBase(m.Name), initBase, symbols);
            result.CompareModule(m.Name, file, loaded, memory);
            var symtab = file.SymbolTable!;
            for (var i = 1; i < symtab.Count; i++)
            {
                var sym = symtab[i];
                if (sym.Binding != ElfConstants.StbLocal && sym.IsInSection && loaded.IsLoaded((int)sym.SectionIndex))
                {
                    symbols.TryAdd(symtab.GetName(i), sym.Value + loaded.Addresses[sym.SectionIndex]);
                }
            }

            result.Modules++;
        }

        return result;
    }

    private void CompareModule(string name, ElfFile file, LoadedModule loaded, byte[] memory)
    {
        var machine = file.Header.Machine;
        var patched = RuntimePatchSites.Of(file, loaded);
        var percpu = file.Sections.FirstOrDefault(s => s.Name == ".data..percpu")?.Index ?? -1;
        var core = loaded.Layout.Sections.Where(s => s.Region == ModuleRegion.Core).ToDictionary(s => s.Index);
        foreach (var rs in file.Sections.Where(s => s.IsRelocation && s.Index > 0))
        {
            if (!core.TryGetValue((int)rs.Info, out var target) || target.NoBits || RewrittenWhole.Contains(target.Name))
            {
                continue;
            }

            var ours = loaded.Bytes(target.Index);
            var theirs = memory.AsSpan((int)target.Offset, (int)Math.Min(target.Size, (ulong)memory.Length - target.Offset));
            var writable = (target.Flags & ElfConstants.ShfWrite) != 0 && target.Name != "__dyndbg";
            foreach (var r in file.GetRelocations(rs).Entries)
            {
                var width = FieldWidth(machine, r.Type);
                if (width == 0 || r.Offset + (ulong)width > (ulong)ours.Length)
                {
                    continue;
                }

                if (percpu >= 0 && file.SymbolTable![(int)r.SymbolIndex].SectionIndex == percpu)
                {
                    PerCpu++;
                    continue; // S is in the module's per-cpu area, whose address the capture does not give
                }

                var typeName = $"{machine} {r.Type}";
                Types[typeName] = Types.GetValueOrDefault(typeName) + 1;
                Fields++;
                var a = ours.Slice((int)r.Offset, width);
                var b = theirs.Slice((int)r.Offset, width);
                if (a.SequenceEqual(b))
                {
                    Agree++;
                    continue;
                }

                var addr = loaded.Addresses[target.Index] + r.Offset;
                var what = $"{name} {target.Name}+0x{r.Offset:x} type {r.Type} sym {file.SymbolTable!.GetName((int)r.SymbolIndex)}: ours {Convert.ToHexString(a)}, kernel {Convert.ToHexString(b)}";
                if (patched.Covers(addr, width))
                {
                    RuntimePatched++;
                }
                else if (writable)
                {
                    WritableDiffer++;
                    WritableMismatches.Add(what);
                }
                else
                {
                    Mismatches.Add(what);
                }
            }
        }

        // what module_frob_arch_sections reserved at core+0 (s390's GOT and PLT), as the relocator filled it
        if (loaded.Reserved.Length > 0)
        {
            var ours = loaded.Reserved;
            var theirs = memory.AsSpan(0, Math.Min(ours.Length, memory.Length)).ToArray();
            Fields++;
            WholeSections++;
            foreach (var (start, length) in PerCpuSlots(file, loaded, percpu))
            {
                // the slot holds mod_percpu(mod) + st_value, like the relocations against per-cpu symbols above
                PerCpu++;
                ours.Slice(start, length).CopyTo(theirs.AsSpan(start, length));
            }

            var at = FirstDifference(ours, theirs);
            if (at == ours.Length)
            {
                Agree++;
            }
            else
            {
                Mismatches.Add($"{name} core+0 reserved GOT/PLT (0x{ours.Length:x} bytes) differs from +0x{at:x}: ours {Convert.ToHexString(Window(ours, at))}, kernel {Convert.ToHexString(Window(theirs, at))}");
            }
        }

        // the sections the arch fills in itself, and the two jump_label_add_module rewrites: __jump_table (sorted)
        // and __dyndbg, whose keys now point at their entries; __dyndbg is compared whole (issue 13: the loaded bytes
        // of __dyndbg against our relocated image)
        foreach (var s in core.Values.Where(s => s.Name is ".stubs" or ".plt" or ".text.ftrace_trampoline" or ".got" or "__jump_table" or "__dyndbg"))
        {
            var ours = loaded.Bytes(s.Index);
            var theirs = memory.AsSpan((int)s.Offset, (int)s.Size);
            Fields++;
            WholeSections++;
            if (ours.Length == 0 ? theirs.IndexOfAnyExcept((byte)0) < 0 : ours.SequenceEqual(theirs))
            {
                Agree++;
            }
            else
            {
                var at = ours.Length == 0 ? theirs.IndexOfAnyExcept((byte)0) : FirstDifference(ours, theirs);
                Mismatches.Add($"{name} {s.Name} (0x{s.Size:x} bytes) differs from +0x{at:x}: ours {Convert.ToHexString(Window(ours, at))}, kernel {Convert.ToHexString(Window(theirs, at))}");
            }
        }
    }

    /// <summary>
    /// Tables the kernel sorts in place after relocating them: ftrace_process_locs sorts __mcount_loc (and
    /// __patchable_function_entries), x86's unwind_module_init sorts the ORC tables, post_relocation's sort_extable sorts __ex_table (relative
    /// entries rewritten as they move; ppc64's modules are not emitted in address order).
    /// </summary>
    private static readonly HashSet<string> RewrittenWhole = ["__mcount_loc", "__patchable_function_entries", ".orc_unwind_ip", ".orc_unwind", "__ex_table"];

    /// <summary>
    /// s390's GOT slots (and PLT targets) of symbols in .data..percpu: <c>apply_rela</c> writes their
    /// <c>symtab[r_sym].st_value</c> there, an address in the module's per-cpu area, which the capture does not give.
    /// </summary>
    private static IEnumerable<(int Start, int Length)> PerCpuSlots(ElfFile file, LoadedModule loaded, int percpu)
    {
        if (file.Header.Machine != ElfMachine.S390 || percpu < 0)
        {
            yield break;
        }

        var symtab = file.SymbolTable!;
        var slots = S390ModuleArch.Assign(S390ModuleArch.FrobOrder(file, file.Sections));
        foreach (var (sym, offset) in slots.Got)
        {
            if (sym < symtab.Count && symtab[(int)sym].SectionIndex == percpu)
            {
                yield return ((int)offset, 8); // the GOT at core+0
            }
        }

        foreach (var (sym, offset) in slots.Plt)
        {
            if (sym < symtab.Count && symtab[(int)sym].SectionIndex == percpu)
            {
                yield return ((int)(slots.GotSize + offset + 14), 8); // the PLT after the GOT; its target at +14
            }
        }
    }

    private static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }

    private static ReadOnlySpan<byte> Window(ReadOnlySpan<byte> s, int at) => at >= s.Length ? [] : s.Slice(at, Math.Min(16, s.Length - at));

    /// <summary>The bytes a relocation type writes (instruction relocations: the whole instruction word).</summary>
    public static int FieldWidth(ElfMachine machine, uint type) => (machine, type) switch
    {
        (_, 0) => 0,
        (ElfMachine.AArch64, 256) => 0,
        (ElfMachine.AArch64, 257 or 260) => 8,
        (ElfMachine.AArch64, 259 or 262) => 2,
        (ElfMachine.Ppc64, 38 or 44 or 51 or 22) => 8, // ADDR64, REL64, TOC, ENTRY (two instructions)
        (ElfMachine.Ppc64, 10) => 8, // REL24 and the nop after it that restore_r2 rewrites
        (ElfMachine.Ppc64, 47 or 48 or 50 or 63 or 64 or 250 or 252 or 4 or 5 or 6) => 2, // TOC16*, REL16_LO/HA, ADDR16*
        (ElfMachine.Ppc64, 109) => 0, // TOCSAVE
        // s390: the place of a *DBL instruction relocation is the immediate field itself (apply_rela_bits)
        (ElfMachine.S390, 1) => 1, // R_390_8
        (ElfMachine.S390, 2 or 6 or 29) => 2, // 12-bit: R_390_12, GOT12, GOTPLT12 (low 12 bits of a halfword)
        (ElfMachine.S390, 3 or 15 or 16 or 17 or 18 or 27 or 30 or 34) => 2, // 16, GOT16, PC16, PC16DBL, PLT16DBL, GOTOFF16, GOTPLT16, PLTOFF16
        (ElfMachine.S390, 57 or 58 or 59) => 4, // 20-bit: R_390_20, GOT20, GOTPLT20 (DL and DH of an RXY word)
        (ElfMachine.S390, 22 or 23 or 24 or 25 or 28 or 32 or 36) => 8, // 64, PC64, GOT64, PLT64, GOTOFF64, GOTPLT64, PLTOFF64
        (ElfMachine.Mips, 18) => 8,
        (ElfMachine.X86_64, 1 or 24) => 8,
        _ => 4,
    };
}
