namespace DynDbg.ElfSim.Elf;

/// <summary>A struct or union described by BTF: its size and its members with bit offsets and bitfield widths
/// (width 0 means "not a bitfield").</summary>
public sealed record BtfStruct(string Name, uint Size, IReadOnlyList<BtfMember> Members)
{
    public BtfMember? Member(string name) => Members.FirstOrDefault(m => m.Name == name);
}

/// <summary>One member; <see cref="BitOffset"/> counts in memory order (from the MSB of byte 0 on big-endian).</summary>
public sealed record BtfMember(string Name, uint BitOffset, uint BitfieldSize);
