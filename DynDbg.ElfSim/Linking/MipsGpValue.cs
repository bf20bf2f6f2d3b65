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

    public static bool Applies(LinkResult link, OutputSection o) =>
        link.Identity.Machine == ElfMachine.Mips && o.WrittenType is ShtMipsRegInfo or ShtMipsOptions;

    public static ulong Of(LinkResult link)
    {
        if (link.GlobalSymbols.FirstOrDefault(h => h.Name == "_gp") is { IsDefined: true } gp)
        {
            return gp.ScriptDefined ? (gp.ScriptSection?.Address ?? 0) + gp.Value
                : gp.Section is { Output: { } o } s ? o.Address + s.OutputOffset + gp.Value : gp.Value;
        }

        var lo = ulong.MaxValue;
        foreach (var o in link.Sections)
        {
            if ((o.WrittenFlags & ShfMipsGpRel) != 0 && o.Address < lo)
            {
                lo = o.Address;
            }
        }

        return unchecked(lo + 0x7ff0);
    }

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
