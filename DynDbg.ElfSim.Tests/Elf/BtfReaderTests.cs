using System.Buffers.Binary;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// <see cref="BtfReader.FindStruct"/> on hand-made .BTF sections: the struct and its members are found after other
/// types; a BTF whose strings do not hold the name (a module's split BTF: struct _ddebug is in vmlinux's part) is
/// answered without walking its types; a type walk that does run still names a truncated record.
/// </summary>
[TestFixture]
public class BtfReaderTests
{
    private const string Strings = "\0int\0_ddebug\0modname\0flags\0";

    private static byte[] Btf(string strings, params uint[] types)
    {
        var str = System.Text.Encoding.ASCII.GetBytes(strings);
        var data = new byte[24 + (types.Length * 4) + str.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(data, 0xeb9f);
        data[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), (uint)(types.Length * 4));
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), (uint)(types.Length * 4));
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(20), (uint)str.Length);
        for (var i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(24 + (i * 4)), types[i]);
        }

        str.CopyTo(data, 24 + (types.Length * 4));
        return data;
    }

    private static ElfFile Object(byte[] btf)
    {
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        w.AddSection(".BTF", ElfConstants.ShtProgbits, 0, ElfContent.Of(btf));
        return ElfFile.FromBytes("btf.o", w.ToArray());
    }

    private static uint Off(string name) => (uint)Strings.IndexOf("\0" + name + "\0", StringComparison.Ordinal) + 1;

    [Test]
    public void TheStruct_IsFound_AfterOtherTypes()
    {
        using var f = Object(Btf(Strings,
            Off("int"), 1u << 24, 4, 0x01000020, // INT "int", 4 bytes, 32 bits
            Off("_ddebug"), (4u << 24) | 2, 56, Off("modname"), 1, 0, Off("flags"), 1, 64)); // STRUCT, 2 members
        var s = BtfReader.FindStruct(f, "_ddebug");
        s.Should().NotBeNull();
        s!.Size.Should().Be(56);
        s.Members.Select(m => (m.Name, m.BitOffset)).Should().Equal(("modname", 0u), ("flags", 64u));
    }

    [Test]
    public void StringsWithoutTheName_AnswerNull_WithoutWalkingTheTypes()
    {
        // the type section is cut inside its first record, so a walk would fail; the strings already say no
        using var f = Object(Btf("\0int\0x_ddebug\0_ddebugx\0", Off("int"), 1u << 24, 4));
        BtfReader.FindStruct(f, "_ddebug").Should().BeNull();
    }

    [Test]
    public void AWalkThatRuns_StillNamesATruncatedRecord()
    {
        using var f = Object(Btf(Strings, Off("int"), 1u << 24, 4));
        var act = () => BtfReader.FindStruct(f, "_ddebug");
        act.Should().Throw<ElfFormatException>().Where(e => e.Id == ErrorIds.BadBtf).WithMessage("*truncated*");
    }
}
