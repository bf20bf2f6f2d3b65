using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The GP value ld writes into the output's register-usage records (bfd/elfxx-mips.c): <c>_bfd_mips_elf_final_link</c>
/// takes <c>_gp</c> when it is defined, else, in a relocatable link, the lowest address of an SHF_MIPS_GPREL output
/// section plus 0x7ff0 (with none, all-ones plus 0x7ff0: 0x7fef); <c>_bfd_mips_elf_section_processing</c> then
/// stores it in .reginfo's ri_gp_value and in every ODK_REGINFO record of .MIPS.options, whatever the inputs had.
/// </summary>
internal static class MipsGpValue
{
    public const uint ShtMipsRegInfo = 0x70000006;
    public const uint ShtMipsOptions = 0x7000000d;
    private const ulong ShfMipsGpRel = 0x10000000;
    private const byte OdkRegInfo = 1;
    private const int OptionsHeader = 8; // Elf_External_Options: kind, size, section, info

    /// <summary>.reginfo by type; .MIPS.options only under that name (<c>_bfd_mips_elf_set_section_contents</c> keeps
    /// the contents for the rewrite only for a section called .MIPS.options).</summary>
    public static bool Applies(LinkResult link, OutputSection o) =>
        link.Identity.Machine == ElfMachine.Mips &&
        (o.WrittenType == ShtMipsRegInfo || (o.WrittenType == ShtMipsOptions && o.Name == ".MIPS.options"));

    public static ulong Of(LinkResult link) => Of(link.Sections, link.GlobalSymbols.FirstOrDefault(h => h.Name == "_gp"));

    public static ulong Of(IReadOnlyList<OutputSection> sections, LinkSymbol? gp)
    {
        if (gp is { IsDefined: true })
        {
            return gp.ScriptDefined ? (gp.ScriptSection?.Address ?? 0) + gp.Value
                : gp.Section is { Output: { } o } s ? o.Address + s.OutputOffset + gp.Value : gp.Value;
        }

        var lo = ulong.MaxValue;
        foreach (var o in sections)
        {
            if ((o.WrittenFlags & ShfMipsGpRel) != 0 && o.Address < lo)
            {
                lo = o.Address;
            }
        }

        return unchecked(lo + 0x7ff0);
    }

    /// <summary>
    /// An input's own GP value as bfd reads it when it makes the sections (<c>_bfd_mips_elf_section_from_shdr</c>):
    /// ri_gp_value of .reginfo, or of the last ODK_REGINFO record in .MIPS.options; 0 without either.
    /// </summary>
    public static ulong OfInput(InputObject f, ElfIdentity id)
    {
        var e = new ElfEndian(id.IsBigEndian);
        ulong gp = 0;
        foreach (var s in f.Sections)
        {
            var c = f.Elf.GetContents(s.Elf);
            if (s.Elf.Type == ShtMipsRegInfo && c.Length >= 24)
            {
                gp = e.Word(c[20..], 4);
            }
            else if (s.Elf.Type == ShtMipsOptions)
            {
                for (var l = 0; l + OptionsHeader <= c.Length && c[l + 1] >= OptionsHeader; l += c[l + 1])
                {
                    var at = l + OptionsHeader + (id.Is64 ? 24 : 20);
                    if (c[l] == OdkRegInfo && at + (id.Is64 ? 8 : 4) <= c.Length)
                    {
                        gp = e.Word(c[at..], id.Is64 ? 8 : 4);
                    }
                }
            }
        }

        return gp;
    }

    /// <summary>elfxx-mips.c <c>mips_elf_adjust_addend</c>: relocations against local symbols of the GP-relative types
    /// (GPREL16 and its MIPS16/microMIPS forms, GPREL32, LITERAL) move by the input's GP minus the output's.</summary>
    public static bool IsGpRelative(uint type) => type is 7 or 8 or 12 or 101 or 136 or 137 or 172;

    /// <summary>Stores the GP value into <paramref name="contents"/>, the output section's bytes.</summary>
    public static void Store(LinkResult link, OutputSection o, Span<byte> contents)
    {
        var e = new ElfEndian(link.Identity.IsBigEndian);
        var gp = Of(link);
        if (o.WrittenType == ShtMipsRegInfo)
        {
            if (contents.Length == 24)
            {
                e.PutWord(contents[20..], (uint)gp, 4); // Elf32_External_RegInfo's last word
            }

            return;
        }

        var is64 = link.Identity.Is64;
        for (var l = 0; l + OptionsHeader <= contents.Length;)
        {
            var size = contents[l + 1];
            if (size < OptionsHeader)
            {
                break; // ld warns "bad option size" and stops
            }

            if (contents[l] == OdkRegInfo)
            {
                // After the header: Elf64_External_RegInfo (32 bytes, gp last as 8) or Elf32_External_RegInfo (24, gp last as 4).
                var at = l + OptionsHeader + (is64 ? 24 : 20);
                if (at + (is64 ? 8 : 4) <= contents.Length)
                {
                    e.PutWord(contents[at..], is64 ? gp : (uint)gp, is64 ? 8 : 4);
                }
            }

            l += size;
        }
    }
}
