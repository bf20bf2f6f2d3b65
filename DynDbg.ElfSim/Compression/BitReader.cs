using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>Reads what <see cref="BitWriter"/> wrote: LSB-first bit fields and order-k Exp-Golomb codes.</summary>
internal ref struct BitReader(ReadOnlySpan<byte> bytes, long position)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public long Position { get; set; } = position;

    /// <summary>Up to 64 bits; bits past the end of the stream read as 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        ulong value;
        if (count <= 56)
        {
            value = Peek56() & ((1UL << count) - 1);
        }
        else
        {
            var low = Peek56() & ((1UL << 32) - 1);
            Position += 32;
            var high = Peek56() & ((1UL << (count - 32)) - 1);
            Position -= 32;
            value = low | (high << 32);
        }

        Position += count;
        return value;
    }

    public bool ReadBit() => Read(1) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadExpGolomb(int k)
    {
        var window = Peek56();
        var zeros = BitOperations.TrailingZeroCount(window);
        if (zeros < 56 && zeros + k < 56 - zeros)
        {
            // Fast path: the whole code is inside the window.
            var m1 = zeros + k;
            var y = (1UL << m1) | ((window >> (zeros + 1)) & ((1UL << m1) - 1));
            Position += zeros + 1 + m1;
            return y - (1UL << k);
        }

        return ReadExpGolombSlow(k);
    }

    /// <summary>Number of 1 bits in [start, start + count): whole 64-bit words once byte-aligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly int Rank(long start, long count)
    {
        var r = new BitReader(_bytes, start);
        var head = (int)Math.Min(count, (8 - (start & 7)) & 7);
        var ones = BitOperations.PopCount(r.Read(head));
        count -= head;
        var at = (int)(r.Position >> 3);
        while (count >= 64 && at + 8 <= _bytes.Length)
        {
            ones += BitOperations.PopCount(BinaryPrimitives.ReadUInt64LittleEndian(_bytes[at..]));
            at += 8;
            count -= 64;
        }

        r.Position = (long)at << 3;
        while (count > 0)
        {
            var take = (int)Math.Min(count, 56);
            ones += BitOperations.PopCount(r.Read(take));
            count -= take;
        }

        return ones;
    }

    private ulong ReadExpGolombSlow(int k)
    {
        var zeros = 0;
        while (!ReadBit())
        {
            zeros++;
            if (zeros > 128)
            {
                throw new InvalidDataException("Exp-Golomb code longer than 128 bits: corrupt column stream");
            }
        }

        var m1 = zeros + k;
        var low = (UInt128)Read(Math.Min(m1, 64)) | ((UInt128)Read(Math.Max(m1 - 64, 0)) << 64);
        var y = ((UInt128)1 << m1) | low;
        return (ulong)(y - ((UInt128)1 << k));
    }

    /// <summary>The next 56 (or more) bits at <see cref="Position"/>, LSB first; zeros past the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong Peek56()
    {
        var at = (int)(Position >> 3);
        var shift = (int)(Position & 7);
        if (at + 8 <= _bytes.Length)
        {
            return BinaryPrimitives.ReadUInt64LittleEndian(_bytes[at..]) >> shift;
        }

        ulong w = 0;
        for (var b = 0; b < 8 && at + b < _bytes.Length; b++)
        {
            w |= (ulong)_bytes[at + b] << (8 * b);
        }

        return w >> shift;
    }
}
