using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Elf;

/// <summary>Reads and writes integers in one file's byte order; chosen once per file from e_ident[EI_DATA].</summary>
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put16(Span<byte> s, ushort v)
    {
        if (IsBigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put32(Span<byte> s, uint v)
    {
        if (IsBigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put64(Span<byte> s, ulong v)
    {
        if (IsBigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s, v);
        }
    }

    /// <summary>Writes an unsigned word of <paramref name="size"/> bytes (1, 2, 4 or 8), truncating the value.</summary>
    public void PutWord(Span<byte> s, ulong v, int size)
    {
        switch (size)
        {
            case 1: s[0] = (byte)v; break;
            case 2: Put16(s, (ushort)v); break;
            case 4: Put32(s, (uint)v); break;
            default: Put64(s, v); break;
        }
    }
}
