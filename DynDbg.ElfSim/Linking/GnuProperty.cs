namespace DynDbg.ElfSim.Linking;

/// <summary>
/// One property of an <c>NT_GNU_PROPERTY_TYPE_0</c> note as bfd keeps it (bfd/elf-bfd.h <c>elf_property</c>):
/// its type, data size and number; <see cref="Removed"/> is bfd's <c>property_remove</c>. Every property this
/// emulation reads is a number (bfd's <c>property_number</c>).
/// </summary>
public sealed class GnuProperty(uint type, uint dataSize, ulong number)
{
    public uint Type { get; } = type;
    public uint DataSize { get; internal set; } = dataSize;
    public ulong Number { get; set; } = number;
    public bool Removed { get; set; }

    public GnuProperty Copy() => new(Type, DataSize, Number) { Removed = Removed };
}
