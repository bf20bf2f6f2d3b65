using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What ld.bfd's ARM backend and emulation add to a relocatable link (bfd/elf32-arm.c with ld/emultempl/armelf.em):
/// the EXIDX_CANTUNWIND entries that end an unwind table before code without unwind data, and the <c>$d</c>
/// mapping symbols for sections that have no mapping symbol at all.
/// </summary>
internal static class ArmLinkBackend
{
    private const uint ShtArmExidx = 0x70000001;
    private const uint RArmPrel31 = 42;
    private const uint ExidxCantUnwind = 1;

    /// <summary>
    /// armelf.em <c>gld..._after_allocation</c> with bfd/elf32-arm.c <c>elf32_arm_fix_exidx_coverage</c>: the code
    /// sections (SHT_PROGBITS, SHF_EXECINSTR, kept) of every input, stably sorted by output address (in <c>ld -r</c>
    /// most output sections sit at 0, so sections of different output sections interleave by offset), are walked
    /// with the unwind table each one's .ARM.exidx links to it. Code without a table after code whose table did not
    /// end in EXIDX_CANTUNWIND, or a table whose first entry is not the start of its code, gets an 8-byte
    /// EXIDX_CANTUNWIND entry appended to the previous table (<c>insert_cantunwind_after</c>). In a relocatable link
    /// nothing is merged away and no terminating entry is added. Returns true when a table grew (ld then lays the
    /// sections out again).
    /// </summary>
    public static bool FixExidxCoverage(LinkContext ctx)
    {
        var exidxOf = new Dictionary<InputSection, InputSection>();
        foreach (var f in ctx.LoadOrder)
        {
            foreach (var s in f.Sections)
            {
                if (s.Elf.Type == ShtArmExidx && s.LinkedTo is { } text)
                {
                    exidxOf[text] = s;
                }
            }
        }

        if (exidxOf.Count == 0)
        {
            return false;
        }

        var code = ctx.Inputs.SelectMany(f => f.Sections)
            .Where(s => s.Elf.Type == ElfConstants.ShtProgbits && (s.Elf.Flags & ElfConstants.ShfExecInstr) != 0 &&
                        (s.Flags & SectionFlags.Exclude) == 0 && s.Output is not null)
            .OrderBy(s => s.Output!.Address + s.OutputOffset) // glibc's qsort is a stable merge sort here
            .ToList();

        var e = new ElfEndian(ctx.Identity!.IsBigEndian);
        var grew = false;
        var lastType = -1; // 0: EXIDX_CANTUNWIND, 1: inlined unwind data, 2: a table entry
        InputSection? lastText = null, lastExidx = null;
        foreach (var sec in code)
        {
            if (!exidxOf.TryGetValue(sec, out var exidx))
            {
                if (lastType == 0 || lastExidx is null || sec.Size == 0)
                {
                    continue;
                }

                grew |= InsertCantUnwindAfter(lastText!, lastExidx);
                lastType = 0;
                continue;
            }

            if (exidx.Output is null)
            {
                continue; // discarded (ld: output section is *ABS*)
            }

            var contents = exidx.File.Elf.GetContents(exidx.Elf);
            if (lastType > 0 && contents.Length >= 4 && e.Word(contents, 4) != (uint)sec.Elf.Address)
            {
                grew |= InsertCantUnwindAfter(lastText!, lastExidx!);
                lastType = 0;
            }

            for (var j = 0; j + 8 <= contents.Length; j += 8)
            {
                var second = (uint)e.Word(contents[(j + 4)..], 4);
                lastType = second == ExidxCantUnwind ? 0 : (second & 0x80000000) != 0 ? 1 : 2;
            }

            lastExidx = exidx;
            lastText = sec;
        }

        return grew;
    }

    private static bool InsertCantUnwindAfter(InputSection text, InputSection exidx)
    {
        if (exidx.CantUnwindAfter is not null)
        {
            return false; // a table gets one end marker: after it, lastType is 0 until another table is met
        }

        exidx.CantUnwindAfter = text;
        return true;
    }

    /// <summary>The entry <c>elf32_arm_write_section</c> writes for an appended EXIDX_CANTUNWIND in a relocatable link:
    /// the end of the code in its output section (the in-place addend of the R_ARM_PREL31 that goes with it), then 1.</summary>
    public static void WriteCantUnwind(Span<byte> entry, InputSection text, bool bigEndian)
    {
        var e = new ElfEndian(bigEndian);
        e.PutWord(entry, text.OutputOffset + text.Size, 4);
        e.PutWord(entry[4..], ExidxCantUnwind, 4);
    }

    /// <summary>The relocation <c>elf32_arm_update_relocs</c> adds after the table's own: R_ARM_PREL31 at the new entry,
    /// against the section symbol of the code's output section.</summary>
    public static (ulong Offset, uint Type) CantUnwindRelocation(InputSection exidx) =>
        (exidx.OutputOffset + exidx.Size - 8, RArmPrel31);

    /// <summary>
    /// bfd/elf32-arm.c <c>elf32_arm_output_arch_local_syms</c>, first loop: after the inputs' local symbols, a
    /// <c>$d</c> at the start of every input section that has contents, is non-empty, went to an allocated or code
    /// output section, and has no mapping symbol of its own (<c>bfd_elf32_arm_init_maps</c>: a local
    /// <c>$a</c>/<c>$t</c>/<c>$d</c>, optionally followed by ".something"). Its value is the output address
    /// (<c>elf32_arm_output_map_sym</c> adds the output section's vma even in <c>ld -r</c>).
    /// </summary>
    public static void AddDataMappingSymbols(LinkContext ctx, List<OutputSymbol> symbols)
    {
        foreach (var f in ctx.LoadOrder)
        {
            var symtab = f.Elf.SymbolTable;
            if (symtab is null || symtab.Count <= 1)
            {
                continue; // HAS_SYMS
            }

            HashSet<uint>? mapped = null;
            var locals = Math.Min((int)symtab.Section.Info, symtab.Count);
            for (var i = 1; i < locals; i++)
            {
                var sym = symtab[i];
                if (sym.Binding == ElfConstants.StbLocal && IsMappingSymbolName(symtab.GetName(i)))
                {
                    (mapped ??= []).Add(sym.SectionIndex);
                }
            }

            foreach (var s in f.Sections)
            {
                if (s.Output is { Removed: false } o && (o.Flags & (SectionFlags.Alloc | SectionFlags.Code)) != 0 &&
                    (s.Flags & SectionFlags.HasContents) != 0 && (s.Flags & SectionFlags.Exclude) == 0 &&
                    s.Size > 0 && mapped?.Contains((uint)s.Elf.Index) != true)
                {
                    symbols.Add(new OutputSymbol("$d", o.Address + s.OutputOffset, 0, ElfConstants.StbLocal, ElfConstants.SttNotype, 0, o, 0));
                }
            }
        }
    }

    /// <summary>bfd/cpu-arm.c <c>bfd_is_arm_special_symbol_name</c> for BFD_ARM_SPECIAL_SYM_TYPE_MAP.</summary>
    private static bool IsMappingSymbolName(string name) =>
        name.Length >= 2 && name[0] == '$' && name[1] is 'a' or 't' or 'd' && (name.Length == 2 || name[2] == '.');

}
