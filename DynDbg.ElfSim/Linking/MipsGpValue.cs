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
    private const byte OdkRegInfo = 1;
    private const int OptionsHeader = 8; // Elf_External_Options: kind, size, section, info

    /// <summary>.reginfo by type; .MIPS.options only under that name (<c>_bfd_mips_elf_set_section_contents</c> keeps
    /// the contents for the rewrite only for a section called .MIPS.options).</summary>
    public static bool Applies(LinkResult link, OutputSection o) =>
        link.Identity.Machine == ElfMachine.Mips &&
        MipsSectionNames.WrittenType(o) is var type &&
        (type == MipsSectionNames.ShtMipsRegInfo || (type == MipsSectionNames.ShtMipsOptions && o.Name == ".MIPS.options"));

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
            if ((o.WrittenFlags & MipsSectionNames.ShfMipsGpRel) != 0 && o.Address < lo)
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
            if (s.Elf.Type is MipsSectionNames.ShtMipsRegInfo or MipsSectionNames.ShtMipsOptions)
            {
                var c = f.Elf.GetContents(s.Elf);
                foreach (var (at, size) in GpFields(c, s.Elf.Type, id.Is64, output: false))
                {
                    gp = e.Word(c[at..], size); // the last record wins
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
        foreach (var (at, size) in GpFields(contents, MipsSectionNames.WrittenType(o), link.Identity.Is64, output: true))
        {
            e.PutWord(contents[at..], size == 8 ? gp : (uint)gp, size);
        }
    }

    /// <summary>
    /// Where ri_gp_value sits in a register-usage section: .reginfo's last word (Elf32_External_RegInfo: an input's
    /// is read from its first 24 bytes, an output's is written only when it is exactly that size),
    /// or in .MIPS.options each ODK_REGINFO record's last field after the 8-byte option header
    /// (Elf64_External_RegInfo: 8 bytes at +24; Elf32: 4 at +20). The walk stops at an option shorter than its header,
    /// as ld does ("bad option size").
    /// </summary>
    private static List<(int At, int Size)> GpFields(ReadOnlySpan<byte> c, uint type, bool is64, bool output)
    {
        var fields = new List<(int, int)>();
        if (type == MipsSectionNames.ShtMipsRegInfo)
        {
            if (output ? c.Length == 24 : c.Length >= 24)
            {
                fields.Add((20, 4));
            }

            return fields;
        }

        for (var l = 0; l + OptionsHeader <= c.Length && c[l + 1] >= OptionsHeader; l += c[l + 1])
        {
            var at = l + OptionsHeader + (is64 ? 24 : 20);
            if (c[l] == OdkRegInfo && at + (is64 ? 8 : 4) <= c.Length)
            {
                fields.Add((at, is64 ? 8 : 4));
            }
        }

        return fields;
    }
}
