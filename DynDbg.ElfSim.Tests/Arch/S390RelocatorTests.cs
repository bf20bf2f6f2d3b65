using System.Buffers.Binary;
using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// s390's <c>apply_rela</c> (6.1 arch/s390/kernel/module.c) on a hand-made big-endian module: the GOT slot and PLT
/// entry it writes at core+0, the direct branch when the target is in reach, the 20-bit field, and the kernel's
/// refusals (range, alignment, unknown type). The booted kernel's verdict on real modules is RelocatedBytesTests.S390x.
/// </summary>
[TestFixture]
public class S390RelocatorTests
{
    private const ulong CoreBase = 0x3ff80000000;
    private const ulong Printk = 0x1000000; // a kernel symbol 4 TiB below the module: out of a 32-bit branch's reach

    private static readonly Dictionary<string, ulong> Kernel = new(StringComparer.Ordinal) { ["printk"] = Printk };

    /// <summary>A module whose .text (32 bytes, 8-aligned) carries <paramref name="relocations"/>; symbol 1 is
    /// the local function <c>f</c> at .text+0x10, symbol 2 the undefined <c>printk</c>.</summary>
    private static (LoadedModule Module, int Text) Load(params (ulong Offset, bool Printk, uint Type, long Addend)[] relocations) =>
        Load(l => l, relocations);

    private static (LoadedModule Module, int Text) Load(Func<ModuleLayout, ModuleLayout> alter, params (ulong Offset, bool Printk, uint Type, long Addend)[] relocations) =>
        Load(KernelConfig.Debian61, alter, relocations);

    private static (LoadedModule Module, int Text) Load(KernelConfig config, Func<ModuleLayout, ModuleLayout> alter, params (ulong Offset, bool Printk, uint Type, long Addend)[] relocations)
    {
        var w = new ElfWriter(new ElfIdentity(true, true, ElfMachine.S390));
        var code = new byte[32];
        code[0x18] = 0xe3; // lg %r1,0(%r2), an RXY instruction whose DL/DH a 20-bit relocation at +2 fills: e3 10 20 00 00 04
        code[0x19] = 0x10;
        code[0x1a] = 0x20;
        code[0x1d] = 0x04;
        var text = w.AddSection(".text", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, ElfContent.Of(code));
        text.AddrAlign = 8;
        w.AddSection(".modinfo", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, ElfContent.Of("name=s390t\0"u8.ToArray()));
        var mod = w.AddSection(".gnu.linkonce.this_module", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite,
            ElfContent.Of(new byte[0x40]));
        mod.AddrAlign = 8;
        var f = w.AddSymbol(new ElfWriterSymbol("f", 0x10, 4, ElfConstants.StbLocal, ElfConstants.SttFunc, text));
        var printk = w.AddSymbol(new ElfWriterSymbol("printk", 0, 0, ElfConstants.StbGlobal, ElfConstants.SttNotype, null));
        w.AddRelocations(text, true, relocations.Select(r => new ElfWriterRelocation(r.Offset, r.Printk ? printk : f, r.Type, r.Addend)).ToArray());
        var file = ElfFile.FromBytes("s390t.ko", w.ToArray());
        var layout = alter(ModuleLoader.Layout(file, config));
        return (LoadedModule.Load(file, layout, CoreBase, CoreBase + 0x100000, Kernel), file.FindSection(".text")!.Index);
    }

    private static LoaderRefusal Refusal(params (ulong Offset, bool Printk, uint Type, long Addend)[] relocations)
    {
        var act = () => Load(relocations);
        return act.Should().Throw<LoaderRefusal>().Which;
    }

    [Test]
    public void FarCall_GoesThroughThePltEntry_AndGotEntPointsAtTheGotSlot()
    {
        var (m, text) = Load((2, true, S390ModuleArch.RPlt32Dbl, 2), (8, true, S390ModuleArch.RGotEnt, 2), (14, true, S390ModuleArch.RPlt32Dbl, 2));
        m.Layout.CoreReserved.Should().Be(8 + 22, "one GOT slot and one PLT entry for printk");
        var reserved = m.Reserved;
        BinaryPrimitives.ReadUInt64BigEndian(reserved).Should().Be(Printk, "the GOT slot holds S");
        Convert.ToHexString(reserved.Slice(8, 14)).Should().Be("0D10E310100C000407F100000000", "basr %r1,0; lg %r1,12(%r1); br %r1; two zero bytes");
        BinaryPrimitives.ReadUInt64BigEndian(reserved[22..]).Should().Be(Printk, "the PLT entry's target");

        var at = m.Addresses[text];
        at.Should().Be(CoreBase + 32);
        var bytes = m.Bytes(text);
        ((long)(int)BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]) * 2).Should().Be((long)(CoreBase + 8) - (long)at, "brasl to the PLT entry");
        ((long)(int)BinaryPrimitives.ReadUInt32BigEndian(bytes[14..]) * 2).Should().Be((long)(CoreBase + 8) - (long)(at + 12), "the same entry, written once");
        ((long)(int)BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) * 2).Should().Be((long)CoreBase - (long)(at + 6), "lgrl from the GOT slot");
    }

    [Test]
    public void WithExpolines_ThePltEntryJumpsToTheThunkModuleFinalizeWritesAtThePltsEnd()
    {
        var (m, text) = Load(KernelConfig.Debian61 with { Expoline = true }, l => l, (2, true, S390ModuleArch.RPlt32Dbl, 2));
        m.Layout.CoreReserved.Should().Be(2 * 22, "printk's entry and the thunk");
        Convert.ToHexString(m.Reserved[..14]).Should().Be("0D10E310100C0004C0F400000007", "brcl 15 to the thunk: (22 - 8) / 2 halfwords");
        BinaryPrimitives.ReadUInt64BigEndian(m.Reserved[14..]).Should().Be(Printk);
        Convert.ToHexString(m.Reserved[22..]).Should().Be("C60000000005A7F4000007F1" + new string('0', 20), "exrl %r0,.+10; j .; br %r1");
        m.Addresses[text].Should().Be(CoreBase + 48);
    }

    [Test]
    public void NearCall_BranchesDirectly_ButStillFillsThePltEntry()
    {
        var (m, text) = Load((2, false, S390ModuleArch.RPlt32Dbl, 2));
        BinaryPrimitives.ReadUInt32BigEndian(m.Bytes(text)[2..]).Should().Be((0x10 + 2 - 2) / 2);
        BinaryPrimitives.ReadUInt64BigEndian(m.Reserved[14..]).Should().Be(m.Addresses[text] + 0x10);
    }

    [Test]
    public void Twenty_BitField_SplitsIntoDlAndDh_KeepingTheInstructionsOtherBits()
    {
        // R_390_20 at the B2/DL halfword: B2 and the opcode's low byte kept, DL = 0x345, DH = 0x12
        var (m, text) = Load((0x1a, false, 57 /* R_390_20 */, 0x12345 - (long)(CoreBase + 0x10)) /* no GOT or PLT: .text at core+0 */);
        Convert.ToHexString(m.Bytes(text).Slice(0x18, 6)).Should().Be("E31023451204");
    }

    [Test]
    public void LayoutWithoutTheReservation_LeavesGotAndPltRelocationsUnapplied_AndSaysSo()
    {
        var (m, text) = Load(l => l with { CoreReserved = 0 }, (2, true, S390ModuleArch.RPlt32Dbl, 2), (8, true, S390ModuleArch.RGotEnt, 2), (14, false, 19, 2));
        m.Reserved.Length.Should().Be(0);
        BinaryPrimitives.ReadUInt32BigEndian(m.Bytes(text)[2..]).Should().Be(0);
        BinaryPrimitives.ReadUInt32BigEndian(m.Bytes(text)[14..]).Should().Be((0x10 + 2 - 14) / 2 & 0xffffffffu, "PC32DBL needs no GOT");
        m.Notes.Should().Contain("2 R_390_GOT*/PLT* relocations not applied: the layout reserved no GOT and PLT at core+0 (not a module layout)");
    }

    [Test]
    public void OutOfReach_PcRelative_IsRefusedWithTheKernelsMessage()
    {
        var r = Refusal((2, true, 19 /* R_390_PC32DBL */, 2));
        r.Id.Should().Be(LoadedModule.Overflow);
        r.Errno.Should().Be("-ENOEXEC");
        var value = unchecked(Printk + 2 - (CoreBase + 2)); // no GOT or PLT: .text at core+0
        r.Message.Should().Be($"module s390t: relocation error for symbol printk (r_type 19, value 0x{value:x})");
    }

    [Test]
    public void OddTarget_OfAHalvedRelocation_IsRefused()
    {
        Refusal((2, false, 19 /* R_390_PC32DBL */, 3)).Message
            .Should().Be("module s390t: relocation error for symbol f (r_type 19, value 0x11)");
    }

    [Test]
    public void TypeTheKernelDoesNotHandle_IsUnknown()
    {
        var r = Refusal((2, false, 60 /* R_390_TLS_GOTIE20 */, 0));
        r.Id.Should().Be(LoadedModule.UnknownRelocation);
        r.Message.Should().Be("module s390t: unknown relocation: 60");
    }
}
