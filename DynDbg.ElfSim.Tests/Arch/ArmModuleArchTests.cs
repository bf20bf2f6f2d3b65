using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// arm's <c>module_frob_arch_sections</c> (6.1 arch/arm/kernel/module-plts.c) on hand-made REL tables: what
/// count_plts counts, how the implicit addend is read, and why lib/sort.c's unstable heapsort must be emulated.
/// </summary>
[TestFixture]
public class ArmModuleArchTests
{
    private const uint Text = 1;

    private const uint BlZero = 0xebfffffe; // bl to the symbol itself: the PC bias, addend 0
    private const uint BlPlus = 0xeb000010; // bl symbol + 0x48

    // symbol index -> st_shndx: 1..9 undefined (0), 10..19 in .text
    private static uint Shndx(uint symbol) => symbol < 10 ? 0 : Text;

    private static byte[] Code(params uint[] insns) => insns.SelectMany(BitConverter.GetBytes).ToArray();

    private static ElfRelocation Rel(int slot, uint symbol, uint type = ArmModuleArch.RArmCall) => new((ulong)slot * 4, symbol, type, 0, false);

    [Test]
    public void OnePlt_PerDistinctTarget_OutsideTheRelocatedSection()
    {
        // memset twice, memcpy once, a call within .text (no PLT), a jump to memset (another type: its own PLT), an ABS32
        var text = Code(BlZero, BlZero, BlZero, BlZero, 0xeafffffe, 0);
        ElfRelocation[] rel = [Rel(0, 1), Rel(1, 2), Rel(2, 1), Rel(3, 12), Rel(4, 1, ArmModuleArch.RArmJump24), Rel(5, 3, 2)];
        ArmModuleArch.SortAndCount(Shndx, rel, text, Text).Should().Be(3);
    }

    [Test]
    public void ImplicitAddend_IsTheEncodedOffsetBesidesThePcBias()
    {
        ArmModuleArch.IsZeroAddendRelocation(Code(BlZero), Rel(0, 1)).Should().BeTrue();
        ArmModuleArch.IsZeroAddendRelocation(Code(BlPlus), Rel(0, 1)).Should().BeFalse();
        ArmModuleArch.IsZeroAddendRelocation(Code(0x0afffffe), Rel(0, 1, ArmModuleArch.RArmJump24)).Should().BeTrue("beq: the condition is not part of the field");
        // Thumb-2 bl with offset -4: upper 0xf7ff, lower 0xfffe (J1 = J2 = 1)
        ArmModuleArch.IsZeroAddendRelocation([0xff, 0xf7, 0xfe, 0xff], Rel(0, 1, ArmModuleArch.RArmThmCall)).Should().BeTrue();
        ArmModuleArch.IsZeroAddendRelocation([0xff, 0xf7, 0xfc, 0xff], Rel(0, 1, ArmModuleArch.RArmThmCall)).Should().BeFalse();
    }

    [Test]
    public void NonZeroAddends_AreEachCounted()
    {
        var text = Code(BlPlus, BlPlus, BlZero);
        ArmModuleArch.SortAndCount(Shndx, [Rel(0, 1), Rel(1, 1), Rel(2, 1)], text, Text).Should().Be(3);
    }

    [Test]
    public void KernelHeapsort_OrdersEqualKeysAsLibSortDoes_AndTheCountDependsOnIt()
    {
        // Three calls to one symbol: zero, +0x48, zero addend. lib/sort.c's heapsort leaves them as slots 1, 2, 0
        // (worked by hand through sort_r), so the two zero ones end up adjacent and count once: 2 PLTs. A stable
        // sort would keep 0, 1, 2 and count 3.
        var text = Code(BlZero, BlPlus, BlZero);
        ElfRelocation[] rel = [Rel(0, 1), Rel(1, 1), Rel(2, 1)];
        ArmModuleArch.SortAndCount(Shndx, rel, text, Text).Should().Be(2);
        rel.Select(r => r.Offset).Should().Equal(4UL, 8UL, 0UL);
        ArmModuleArch.CountPlts(Shndx, [Rel(0, 1), Rel(1, 1), Rel(2, 1)], text, Text).Should().Be(3, "unsorted, as a stable sort leaves them");
    }

    [Test]
    public void KernelHeapsort_Sorts()
    {
        var random = new Random(13);
        for (var n = 0; n < 40; n++)
        {
            var a = Enumerable.Range(0, n).Select(_ => random.Next(8)).ToArray();
            var expected = a.Order().ToArray();
            ArmModuleArch.KernelSort(a, (x, y) => x.CompareTo(y));
            a.Should().Equal(expected);
        }
    }
}
