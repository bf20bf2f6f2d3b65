namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Appends bit fields least-significant bit first (bit p of the stream is bit p%8 of byte p/8), as
/// <see cref="BitReader"/> reads them, plus order-k Exp-Golomb codes for unsigned values of any size.
/// </summary>
internal sealed class BitWriter
{
    private readonly List<ulong> _words = [];
    private ulong _current;

    public long Length { get; private set; }

    public void Write(ulong value, int count)
    {
        if (count == 0)
        {
            return;
        }

        if (count < 64)
        {
            value &= (1UL << count) - 1;
        }

        var used = (int)(Length & 63);
        _current |= value << used;
        if (used + count >= 64)
        {
            _words.Add(_current);
            _current = used == 0 ? 0 : value >> (64 - used);
        }

        Length += count;
    }

    public void WriteBit(bool bit) => Write(bit ? 1UL : 0, 1);

    /// <summary>
    /// Order-k Exp-Golomb: with y = x + 2^k and m = bit length of y, (m-1-k) zero bits, then y's top bit (a 1),
    /// then y's low m-1 bits as one field. Small x cost k+1 bits; each doubling beyond 2^k costs 2 more.
    /// </summary>
    public void WriteExpGolomb(ulong x, int k)
    {
        var y = (UInt128)x + ((UInt128)1 << k);
        var m = 128 - (int)UInt128.LeadingZeroCount(y);
        var zeros = m - 1 - k;
        Write(0, Math.Min(zeros, 64));
        Write(0, Math.Max(zeros - 64, 0));
        WriteBit(true);
        var low = y & (((UInt128)1 << (m - 1)) - 1);
        Write((ulong)low, Math.Min(m - 1, 64));
        Write((ulong)(low >> 64), Math.Max(m - 1 - 64, 0));
    }

    /// <summary>Bits an order-k Exp-Golomb code of <paramref name="x"/> takes.</summary>
    public static int ExpGolombLength(ulong x, int k)
    {
        var y = (UInt128)x + ((UInt128)1 << k);
        var m = 128 - (int)UInt128.LeadingZeroCount(y);
        return (2 * m) - 1 - k;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[(Length + 7) / 8];
        for (var w = 0; w < _words.Count; w++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(w * 8), _words[w]);
        }

        var tail = (int)(Length & 63);
        for (var b = 0; b * 8 < tail; b++)
        {
            bytes[(_words.Count * 8) + b] = (byte)(_current >> (b * 8));
        }

        return bytes;
    }
}
