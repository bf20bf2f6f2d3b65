using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Arch;

/// <summary>
/// mips's <c>__apply_relocate</c> (6.1 arch/mips/kernel/module.c) on hand-made modules: the instruction fields
/// each type writes (64-bit RELA in both byte orders, 32-bit REL with the HI16 list and its carry), and each
/// refusal with the kernel's message and errno. Expected words are worked out by hand, not by the formulas.
/// </summary>
[TestFixture]
public class MipsRelocatorTests
{
    private const ulong Base64 = 0xffffffffc0000000; // CKSSEG: MODULE_START on a 64-bit kernel
    private const ulong Base32 = 0xc0000000;
    private const int Here = 1, Far = 2, Xk = 3, Weak = 4, Err = 5, WeakErr = 6;

    private static readonly Dictionary<string, ulong> Kernel64 = new()
    {
        ["far"] = 0xffffffff80128abc,
        ["xk"] = 0x9800000187_65c321,
        ["err"] = 0xfffffffffffff001, // -MAX_ERRNO: what __apply_relocate takes for unresolved
        ["werr"] = 0xffffffffffffffea,
    };

    private static readonly Dictionary<string, ulong> Kernel32 = new()
    {
        ["far"] = 0x80127ff8,
        ["xk"] = 0x80000000,
        ["err"] = 0xfffff001,
        ["werr"] = 0xffffffea,
    };

    private sealed record Rel(ulong Offset, int Symbol, uint Type, long Addend = 0, byte Type2 = 0);

    /// <summary>
    /// A module "mipsy" whose .text is <paramref name="code"/>; symbols: here (.text+0x20), far and xk (kernel),
    /// weak (undefined weak), err and werr (resolved to error values, the second weak). Loaded at <see cref="Base64"/>/<see cref="Base32"/>.
    /// </summary>
    private static (LoadedModule Module, uint[] Words) Load(bool is64, bool bigEndian, bool rela, uint[] code, params Rel[] relocs)
    {
        var w = new ElfWriter(new ElfIdentity(is64, bigEndian, ElfMachine.Mips));
        var e = new ElfEndian(bigEndian);
        var bytes = new byte[code.Length * 4];
        for (var i = 0; i < code.Length; i++)
        {
            e.Put32(bytes.AsSpan(i * 4), code[i]);
        }

        var text = w.AddSection(".text", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, ElfContent.Of(bytes));
        text.AddrAlign = 16;
        w.AddSection(".modinfo", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, ElfContent.Of("name=mipsy\0"u8.ToArray()));
        w.AddSymbol(new ElfWriterSymbol("here", 0x20, 4, ElfConstants.StbLocal, ElfConstants.SttFunc, text)).Should().Be(Here);
        w.AddSymbol(new ElfWriterSymbol("far", 0, 0, ElfConstants.StbGlobal, ElfConstants.SttNotype, null)).Should().Be(Far);
        w.AddSymbol(new ElfWriterSymbol("xk", 0, 0, ElfConstants.StbGlobal, ElfConstants.SttNotype, null)).Should().Be(Xk);
        w.AddSymbol(new ElfWriterSymbol("weak", 0, 0, ElfConstants.StbWeak, ElfConstants.SttNotype, null)).Should().Be(Weak);
        w.AddSymbol(new ElfWriterSymbol("err", 0, 0, ElfConstants.StbGlobal, ElfConstants.SttNotype, null)).Should().Be(Err);
        w.AddSymbol(new ElfWriterSymbol("werr", 0, 0, ElfConstants.StbWeak, ElfConstants.SttNotype, null)).Should().Be(WeakErr);
        w.AddRelocations(text, rela, relocs.Select(r => new ElfWriterRelocation(r.Offset, r.Symbol, r.Type, r.Addend, r.Type2)).ToArray());
        var file = ElfFile.FromBytes("mipsy.ko", w.ToArray());
        var layout = ModuleLoader.Layout(file, strict: false);
        var m = LoadedModule.Load(file, layout, is64 ? Base64 : Base32, 0, is64 ? Kernel64 : Kernel32);
        var t = file.FindSection(".text")!.Index;
        m.Addresses[t].Should().Be(is64 ? Base64 : Base32, ".text is the start of the core");
        var image = m.Bytes(t).ToArray();
        return (m, Enumerable.Range(0, code.Length).Select(i => e.U32(image.AsSpan(i * 4))).ToArray());
    }

    private static LoaderRefusal Refused(bool is64, bool rela, uint[] code, params Rel[] relocs)
    {
        var act = () => Load(is64, false, rela, code, relocs);
        return act.Should().Throw<LoaderRefusal>().Which;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Rela64_EveryFieldAsTheKernelWritesIt(bool bigEndian)
    {
        uint[] code =
        [
            0x3c030000, 0x24630000, 0x0c000000, 0x00000000, // lui v1; addiu v1; jal; nop
            0x00000000, 0x00000000, 0x3c039999, 0x64630000, // .dword; lui v1 (old imm dropped); daddiu v1 (higher)
            0x64630000, 0x64630000, 0x10000000, 0x04110000, // daddiu (hi16); daddiu (lo16); b (pc16); bal (pc16)
            0x00000000, 0xd8000000, 0x00000000, 0x00000000, // ..; beqzc (pc21_s2)
        ];
        var (m, words) = Load(true, bigEndian, true, code,
            new Rel(0x00, Far, 5), new Rel(0x04, Far, 6), // %hi/%lo of 0xffffffff80128abc
            new Rel(0x08, Here, 4, 4), // jal here+4: (0xffffffffc0000024 >> 2) & 0x3ffffff
            new Rel(0x10, Far, 18, 8),
            new Rel(0x18, Xk, 29), new Rel(0x1c, Xk, 28), new Rel(0x20, Xk, 5), new Rel(0x24, Xk, 6), // 0x9800000187_65c321
            new Rel(0x28, Here, 10), // b here from 0x28: (0x20 - 0x28) >> 2 = -2
            new Rel(0x2c, Here, 10, 0x40), // bal here+0x40 from 0x2c: (0x60 - 0x2c) >> 2 = 13
            new Rel(0x34, Here, 60, -0x20)); // beqzc .text+0 from 0x34: -13 in 21 bits
        words[0].Should().Be(0x3c038013u, "%hi(0xffffffff80128abc) carries the sign of 0x8abc");
        words[1].Should().Be(0x24638abcu);
        words[2].Should().Be(0x0c000009u);
        ((ulong)words[bigEndian ? 4 : 5] << 32 | words[bigEndian ? 5 : 4]).Should().Be(0xffffffff80128ac4);
        words[6].Should().Be(0x3c039800u, "%highest(0x9800000187_65c321)");
        words[7].Should().Be(0x64630002u, "%higher");
        words[8].Should().Be(0x64638766u, "%hi");
        words[9].Should().Be(0x6463c321u, "%lo");
        words[10].Should().Be(0x1000fffeu);
        words[11].Should().Be(0x0411000du);
        words[13].Should().Be(0xd81ffff3u);
        m.Applied.Should().Be(11);
        m.Notes.Should().BeEmpty();
    }

    [Test]
    public void Rela64_OnlyRTypeIsApplied_TheOthersAreNoted()
    {
        // ELF_MIPS_R_TYPE is r_type alone: an R_MIPS_HI16 in r_type2 changes nothing
        var (m, words) = Load(true, false, true, [0x24630000, 0], new Rel(0, Far, 6, 0, 5));
        words[0].Should().Be(0x24638abcu);
        m.Notes.Should().Contain("1 relocations carry an r_type2/r_type3: 6.1's apply_relocate_add applies r_type alone (ELF_MIPS_R_TYPE)");
    }

    [Test]
    public void UnresolvedWeakSymbol_IsZero()
    {
        var (m, words) = Load(true, false, true, [0x3c030000, 0], new Rel(0, Weak, 5, 0x12348000));
        words[0].Should().Be(0x3c031235u, "simplify_symbols leaves a missing weak symbol 0: S + A = 0x12348000");
        m.Applied.Should().Be(1);
    }

    [Test]
    public void ErrorValuedSymbol_WeakIsSkipped_OtherwiseUnknown()
    {
        var (m, words) = Load(true, false, true, [0x3c030000, 0], new Rel(0, WeakErr, 5));
        words[0].Should().Be(0x3c030000u);
        m.Applied.Should().Be(0);
        var r = Refused(true, true, [0x3c030000, 0], new Rel(0, Err, 5));
        (r.Id, r.Errno, r.Message).Should().Be((LoadedModule.UnknownSymbol, "-ENOENT", "mipsy: Unknown symbol err"));
    }

    [Test]
    public void R26_OutsideTheDelaySlotsSegment_IsAnOverflow()
    {
        var r = Refused(true, true, [0x0c000000, 0], new Rel(0, Far, 4));
        (r.Id, r.Errno, r.Message).Should().Be((ModuleRelocator.Overflow, "-ENOEXEC", "module mipsy: relocation overflow"));
    }

    [Test]
    public void R26_Misaligned_IsDangerous()
    {
        var r = Refused(true, true, [0x0c000000, 0], new Rel(0, Here, 4, 2));
        (r.Id, r.Errno, r.Message).Should().Be((MipsRelocator.Dangerous, "-ENOEXEC", "module mipsy: dangerous R_MIPS_26 relocation"));
    }

    [TestCase(10u, 0x1fffcL, 0x00007fffu)] // PC16: +0x7fff words, the largest
    [TestCase(10u, 0x20000L, null)] // one word more
    [TestCase(10u, -0x20000L, 0x00008000u)] // -0x8000 words, the smallest
    [TestCase(61u, -0x8000000L, 0x02000000u)] // PC26_S2: -0x2000000 words
    [TestCase(61u, -0x8000004L, null)]
    [TestCase(60u, 0x3ffffcL, 0x000fffffu)] // PC21_S2: +0xfffff words
    [TestCase(60u, 0x400000L, null)]
    public void PcRelative_RangeIsTheFieldsSignedWords(uint type, long distance, uint? field)
    {
        // the branch is at .text+0, here at .text+0x20: the addend makes the distance
        var relocation = new Rel(0, Here, type, distance - 0x20);
        if (field is null)
        {
            var r = Refused(true, true, [0, 0], relocation);
            (r.Id, r.Errno, r.Message).Should().Be((ModuleRelocator.Overflow, "-ENOEXEC", "module mipsy: relocation overflow"));
            return;
        }

        Load(true, false, true, [0, 0], relocation).Words[0].Should().Be(field.Value);
    }

    [Test]
    public void PcRelative_Misaligned_IsDangerous()
    {
        var r = Refused(true, true, [0, 0], new Rel(0, Here, 60, 1));
        (r.Id, r.Errno, r.Message).Should().Be((MipsRelocator.Dangerous, "-ENOEXEC", "module mipsy: dangerous R_MIPS_PC21 relocation"));
    }

    [Test]
    public void UnknownType_IsEinval()
    {
        var r = Refused(true, true, [0, 0], new Rel(0, Here, 7)); // R_MIPS_GPREL16
        (r.Id, r.Errno, r.Message).Should().Be((ModuleRelocator.UnknownRelocation, "-EINVAL", "mipsy: Unknown relocation type 7"));
    }

    [Test]
    public void Rel32_Hi16sWaitForTheirLo16_AndTakeItsCarry()
    {
        uint[] code =
        [
            0x3c030000, 0x24630010, 0x3c040001, 0x00000010, // lui; addiu (+0x10); lui (+0x10000); .word 0x10
            0x0c000004, 0x1000ffff, 0x00000000, 0x00000000, // jal (+0x10 bytes); b (-1 word)
        ];
        var (m, words) = Load(false, false, false, code,
            new Rel(0x00, Far, 5), new Rel(0x08, Far, 5), new Rel(0x04, Far, 6), // both HI16s resolved by the LO16
            new Rel(0x0c, Far, 2), new Rel(0x10, Here, 4), new Rel(0x14, Here, 10));
        words[0].Should().Be(0x3c038013u, "0x80127ff8 + 0x10 = 0x80128008: the low half is negative, so %hi carries");
        words[1].Should().Be(0x24638008u);
        words[2].Should().Be(0x3c048014u, "its own addend 0x10000 with the LO16's 0x10");
        words[3].Should().Be(0x80128008u);
        words[4].Should().Be(0x0c000000u | (((0xc0000020u >> 2) + 4) & 0x03ffffff));
        words[5].Should().Be(0x10000002u, "-1 + (0x20 - 0x14) >> 2");
        m.Applied.Should().Be(6);
    }

    [Test]
    public void Rel32_Lo16OfAnotherValue_IsDangerous()
    {
        var r = Refused(false, false, [0x3c030000, 0x24630000], new Rel(0, Far, 5), new Rel(4, Xk, 6));
        (r.Id, r.Errno, r.Message).Should().Be((MipsRelocator.Dangerous, "-ENOEXEC", "module mipsy: dangerous R_MIPS_LO16 relocation"));
    }

    [Test]
    public void Rel32_Hi16WithoutLo16_FailsTheTable()
    {
        var r = Refused(false, false, [0x3c030000, 0], new Rel(0, Far, 5));
        (r.Id, r.Errno).Should().Be((MipsRelocator.Dangerous, "-ENOEXEC"));
        r.Message.Should().StartWith("module mipsy: 1 R_MIPS_HI16 relocation(s) in .rel.text (first at r_offset 0x0) not followed by an R_MIPS_LO16");
    }

    [TestCase(18u, 232, "apply_r_mips_64")]
    [TestCase(28u, 242, "apply_r_mips_higher")]
    [TestCase(29u, 253, "apply_r_mips_highest")]
    public void Rel_FormOfARelaOnlyType_WarnsAndIsEinval(uint type, int line, string function)
    {
        var r = Refused(false, false, [0, 0], new Rel(0, Far, type));
        (r.Id, r.Errno).Should().Be((MipsRelocator.Dangerous, "-EINVAL"));
        r.Message.Should().StartWith($"WARNING: at arch/mips/kernel/module.c:{line} {function}");
    }
}
