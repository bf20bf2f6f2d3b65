using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Elf;

/// <summary>Reads integers in one file's byte order; chosen once per file from e_ident[EI_DATA].</summary>
public readonly struct ElfEndian(bool bigEndian)
{
    public bool IsBigEndian { get; } = bigEndian;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort U16(ReadOnlySpan<byte> s) =>
        IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint U32(ReadOnlySpan<byte> s) =>
        IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong U64(ReadOnlySpan<byte> s) =>
        IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);

    /// <summary>An unsigned word of <paramref name="size"/> bytes (4 or 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Word(ReadOnlySpan<byte> s, int size) => size == 8 ? U64(s) : U32(s);
}
