using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// arm64's <c>module_frob_arch_sections</c> (6.1 arch/arm64/kernel/module-plts.c) on hand-made relocation tables:
/// what count_plts counts, and the partition quirk the booted kernel shows (cifs_md4: 3 PLTs for 2 targets).
/// </summary>
[TestFixture]
public class Aarch64ModuleArchTests
{
    private const uint Text = 1;
    private const uint Other = 2;

    // symbol index -> st_shndx: 1..9 undefined (0), 10..19 in .text, 20..29 in another section
    private static uint Shndx(uint symbol) => symbol switch { < 10 => 0, < 20 => Text, _ => Other };

    private static ElfRelocation Call(uint symbol, long addend = 0, ulong offset = 0) => new(offset, symbol, Aarch64ModuleArch.RCall26, addend, true);

    private static ElfRelocation Jump(uint symbol, long addend = 0) => new(0, symbol, Aarch64ModuleArch.RJump26, addend, true);

    private static ElfRelocation Adrp(ulong offset) => new(offset, 1, Aarch64ModuleArch.RAdrPrelPgHi21, 0, true);

    private static ElfRelocation Abs64(uint symbol) => new(0, symbol, 257, 0, true);

    private static ulong Count(params ElfRelocation[] rela) => Count(ModuleArchOptions.Default, new ulong[4], rela);

    private static ulong Count(ModuleArchOptions options, ulong[] align, params ElfRelocation[] rela) =>
        Aarch64ModuleArch.SortAndCount(Shndx, rela, Text, align, options);

    [Test]
    public void OnePlt_PerDistinctTarget_OutsideTheRelocatedSection()
    {
        // memset twice, memcpy once, a call within .text (no PLT), a call into another section, a data relocation
        Count(Abs64(3), Call(1), Call(2), Call(1), Call(12), Call(21), Abs64(4)).Should().Be(3);
    }

    [Test]
    public void TypeAndAddend_AreConsidered_AsCmpRelaDoes()
    {
        Count(Call(1), Jump(1), Abs64(9)).Should().Be(2, "CALL26 and JUMP26 to the same symbol sort apart");
        Count(Call(1, 8), Call(1, 8), Abs64(9)).Should().Be(2, "a non-zero addend is never taken for a duplicate");
    }

    [Test]
    public void PartitionQuirk_LeavesTheLastSlotUnsorted()
    {
        // cifs_md4.ko's .rela.text: 4 x memset, 2 x memcpy, all needing a PLT. The partition loop stops at i == j
        // without examining the last slot, so only 5 are sorted; the sixth (memcpy) follows memset and counts again.
        // The booted arm64 kernel agrees: .text.ftrace_trampoline is 48 bytes after .plt, (3 + 1) x 12.
        const uint memset = 2, memcpy = 1;
        Count(Call(memset), Call(memset), Call(memset), Call(memset), Call(memcpy), Call(memcpy)).Should().Be(3);
        Count(Call(memset), Call(memset), Call(memset), Call(memset), Call(memcpy), Call(memcpy), Abs64(9)).Should().Be(2);
    }

    [Test]
    public void Erratum843419_RaisesAlignment_OrNeedsAVeneer_PlusSlack()
    {
        var align = new ulong[] { 0, 4, 0, 0 };
        var erratum = new ModuleArchOptions(Erratum843419: true);
        // offset 0x0: ffz(0x7) = 3, min_align 16; offset 0xff8|0x7 = 0xfff: ffz = 12, min_align 8192 > 4K: a veneer
        Count(erratum, align, Adrp(0x0), Call(1)).Should().Be(1 + 1, "one PLT and DIV_ROUND_UP(1, 341) slack");
        align[Text].Should().Be(16);
        Count(erratum, align, Adrp(0xff8)).Should().Be(2);
        Count(ModuleArchOptions.Default, align, Adrp(0xff8)).Should().Be(0, "cortex-a57 has no ARM64_WORKAROUND_843419");
    }
}
