using System.Buffers.Binary;
using System.Numerics;

namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// Our port of the compressors of 6.1 <c>lib/lz4</c>, which is an older LZ4 (1.8-era) than today's reference:
/// <see cref="CompressDefault"/> is <c>LZ4_compress_default</c> → <c>LZ4_compress_fast_extState</c> →
/// <c>LZ4_compress_generic</c> for inputs under 64 KiB (<c>byU16</c> table of 2^13 entries, no dictionary,
/// acceleration 1, skip trigger 6); <see cref="CompressHc"/> is <c>LZ4_compress_HC</c> →
/// <c>LZ4HC_compress_generic</c> (hash chains: 2^15 heads, 2^16 16-bit deltas, <c>1 &lt;&lt; (level - 1)</c> attempts,
/// the Search2/Search3 overlap resolution). The streams are plain LZ4 blocks, so any LZ4 decoder reads them.
/// K4os.Compression.LZ4 (a port of LZ4 1.9) writes different, usually shorter, blocks for the same page, which is
/// why the kernel's code is ported here rather than taken from the package.
/// </summary>
public static class Lz4
{
    private const int MinMatch = 4;
    private const int LastLiterals = 5;
    private const int MfLimit = 8 + MinMatch;            // WILDCOPYLENGTH + MINMATCH
    private const int MinLength = MfLimit + 1;           // LZ4_minLength
    private const int MaxDistance = (1 << 16) - 1;       // MAX_DISTANCE
    private const int MlBits = 4, MlMask = (1 << MlBits) - 1, RunMask = (1 << (8 - MlBits)) - 1;
    private const int HashLog = 14 - 2;                  // LZ4_MEMORY_USAGE 14 → LZ4_HASHLOG 12; byU16 uses 13
    private const int Limit64K = 64 * 1024 + (MfLimit - 1);
    private const int SkipTrigger = 6;
    private const int HcHashLog = 16 - 1;                // LZ4HC_DICTIONARY_LOGSIZE 16
    private const int HcMaxLevel = 16;
    private const int HcOptimalMl = MlMask - 1 + MinMatch; // OPTIMAL_ML 18
    private const int Window = 64 * 1024;                // base = start - 64 KiB in LZ4HC_init

    /// <summary>LZ4HC_DEFAULT_CLEVEL, what crypto/lz4hc.c passes.</summary>
    public const int HcDefaultLevel = 9;

    [ThreadStatic] private static ushort[]? t_table;
    [ThreadStatic] private static uint[]? t_hcHash;
    [ThreadStatic] private static ushort[]? t_hcChain;
    [ThreadStatic] private static int[]? t_hcTouched; // hash heads set by the previous call, [0] = their count

    /// <summary>LZ4_COMPRESSBOUND.</summary>
    public static int CompressBound(int size) => size + size / 255 + 16;

    private static uint Read32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    // byU16: LZ4_hash4 with LZ4_HASHLOG + 1.
    private static int Hash16(uint sequence) => (int)((sequence * 2654435761u) >> (MinMatch * 8 - (HashLog + 1)));

    /// <summary>LZ4_count: bytes equal from <paramref name="pIn"/> and <paramref name="pMatch"/>, <paramref name="pIn"/> below <paramref name="limit"/>.</summary>
    private static int Count(ReadOnlySpan<byte> s, int pIn, int pMatch, int limit)
    {
        var start = pIn;
        while (pIn < limit - 7)
        {
            var diff = BinaryPrimitives.ReadUInt64LittleEndian(s[pMatch..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(s[pIn..]);
            if (diff == 0)
            {
                pIn += 8;
                pMatch += 8;
                continue;
            }

            return pIn + BitOperations.TrailingZeroCount(diff) / 8 - start;
        }

        while (pIn < limit && s[pMatch] == s[pIn])
        {
            pIn++;
            pMatch++;
        }

        return pIn - start;
    }

    private static int Lengths(Span<byte> dst, int op, int len)
    {
        for (; len >= 255; len -= 255)
        {
            dst[op++] = 255;
        }

        dst[op++] = (byte)len;
        return op;
    }

    // A sequence's token and literals: the count in the token's high nibble (RUN_MASK and extra bytes when longer),
    // then the bytes. The last literals are this without a match.
    private static int Literals(ReadOnlySpan<byte> src, int anchor, int length, Span<byte> dst, int op, out int token)
    {
        token = op++;
        if (length >= RunMask)
        {
            dst[token] = RunMask << MlBits;
            op = Lengths(dst, op, length - RunMask);
        }
        else
        {
            dst[token] = (byte)(length << MlBits);
        }

        src.Slice(anchor, length).CopyTo(dst[op..]);
        return op + length;
    }

    private static int LastRun(ReadOnlySpan<byte> src, int anchor, Span<byte> dst, int op) =>
        Literals(src, anchor, src.Length - anchor, dst, op, out _);

    /// <summary>
    /// <c>LZ4_compress_default</c> of <paramref name="src"/> (under 64 KiB) into <paramref name="dst"/> (at least
    /// <see cref="CompressBound"/> bytes: the kernel's unlimited-output path); the length.
    /// </summary>
    public static int CompressDefault(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        if (src.Length >= Limit64K)
        {
            throw new ArgumentException("only inputs under 64 KiB (LZ4's byU16 path, what zram's pages take)", nameof(src));
        }

        if (dst.Length < CompressBound(src.Length))
        {
            throw new ArgumentException($"the destination must hold {CompressBound(src.Length)} bytes", nameof(dst));
        }

        var table = t_table ??= new ushort[1 << (HashLog + 1)];
        Array.Clear(table); // LZ4_resetStream
        const int Acceleration = 1;
        var iend = src.Length;
        var mflimit = iend - MfLimit;
        var matchlimit = iend - LastLiterals;
        int ip = 0, anchor = 0, op = 0;
        if (src.Length < MinLength)
        {
            return LastRun(src, anchor, dst, op);
        }

        table[Hash16(Read32(src, ip))] = (ushort)ip;
        ip++;
        var forwardH = Hash16(Read32(src, ip));
        for (;;)
        {
            int match;
            {
                var forwardIp = ip;
                var step = 1;
                var searchMatchNb = Acceleration << SkipTrigger;
                do
                {
                    var h = forwardH;
                    ip = forwardIp;
                    forwardIp += step;
                    step = searchMatchNb++ >> SkipTrigger;
                    if (forwardIp > mflimit)
                    {
                        return LastRun(src, anchor, dst, op);
                    }

                    match = table[h];
                    forwardH = Hash16(Read32(src, forwardIp));
                    table[h] = (ushort)ip;
                }
                while (Read32(src, match) != Read32(src, ip)); // byU16: no distance test
            }

            // Catch up
            while (ip > anchor && match > 0 && src[ip - 1] == src[match - 1])
            {
                ip--;
                match--;
            }

            // Encode literals
            op = Literals(src, anchor, ip - anchor, dst, op, out var token);

            for (;;)
            {
                // _next_match: offset, then match length
                BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)(ip - match));
                op += 2;
                var matchCode = Count(src, ip + MinMatch, match + MinMatch, matchlimit);
                ip += MinMatch + matchCode;
                if (matchCode >= MlMask)
                {
                    dst[token] += MlMask;
                    op = Lengths(dst, op, matchCode - MlMask);
                }
                else
                {
                    dst[token] += (byte)matchCode;
                }

                anchor = ip;
                if (ip > mflimit)
                {
                    return LastRun(src, anchor, dst, op);
                }

                table[Hash16(Read32(src, ip - 2))] = (ushort)(ip - 2);
                var hNext = Hash16(Read32(src, ip));
                match = table[hNext];
                table[hNext] = (ushort)ip;
                if (match + MaxDistance >= ip && Read32(src, match) == Read32(src, ip))
                {
                    token = op++;
                    dst[token] = 0;
                    continue;
                }

                break;
            }

            forwardH = Hash16(Read32(src, ++ip));
        }
    }

    /// <summary>
    /// <c>LZ4_compress_HC(src, dst, n, dstCapacity, level)</c> into <paramref name="dst"/> (at least
    /// <see cref="CompressBound"/> bytes); the length. Inputs under 64 KiB (one window, no dictionary).
    /// </summary>
    public static int CompressHc(ReadOnlySpan<byte> src, Span<byte> dst, int level = HcDefaultLevel)
    {
        if (src.Length >= Window)
        {
            throw new ArgumentException("only inputs under 64 KiB (one LZ4HC window)", nameof(src));
        }

        if (dst.Length < CompressBound(src.Length))
        {
            throw new ArgumentException($"the destination must hold {CompressBound(src.Length)} bytes", nameof(dst));
        }

        var hc = new HcState(t_hcHash ??= new uint[1 << HcHashLog], t_hcChain ??= new ushort[Window], t_hcTouched ??= new int[Window + 1]);
        hc.Init(src.Length);
        level = level > HcMaxLevel ? HcMaxLevel : level < 1 ? HcDefaultLevel : level;
        var maxNbAttempts = 1 << (level - 1);
        var iend = src.Length;
        var mflimit = iend - MfLimit;
        var matchlimit = iend - LastLiterals;
        int ip = 0, anchor = 0, op = 0;
        int ml, ml2, ml3, ml0;
        int reference = 0, start2 = 0, ref2 = 0, start3 = 0, ref3 = 0, start0, ref0;
        ip++;
        while (ip < mflimit)
        {
            ml = hc.InsertAndFindBestMatch(src, ip, matchlimit, ref reference, maxNbAttempts);
            if (ml == 0)
            {
                ip++;
                continue;
            }

            start0 = ip;
            ref0 = reference;
            ml0 = ml;

        Search2:
            ml2 = ip + ml < mflimit
                ? hc.InsertAndGetWiderMatch(src, ip + ml - 2, ip, matchlimit, ml, ref ref2, ref start2, maxNbAttempts)
                : ml;
            if (ml2 == ml)
            {
                op = EncodeSequence(src, ref ip, dst, op, ref anchor, ml, reference);
                continue;
            }

            if (start0 < ip && start2 < ip + ml0)
            {
                ip = start0;
                reference = ref0;
                ml = ml0;
            }

            if (start2 - ip < 3)
            {
                ml = ml2;
                ip = start2;
                reference = ref2;
                goto Search2;
            }

        Search3:
            if (start2 - ip < HcOptimalMl)
            {
                _ = TrimOverlap(ip, ml, ref start2, ref ref2, ref ml2); // new_ml only moves the second match
            }

            ml3 = start2 + ml2 < mflimit
                ? hc.InsertAndGetWiderMatch(src, start2 + ml2 - 3, start2, matchlimit, ml2, ref ref3, ref start3, maxNbAttempts)
                : ml2;
            if (ml3 == ml2)
            {
                if (start2 < ip + ml)
                {
                    ml = start2 - ip;
                }

                op = EncodeSequence(src, ref ip, dst, op, ref anchor, ml, reference);
                ip = start2;
                op = EncodeSequence(src, ref ip, dst, op, ref anchor, ml2, ref2);
                continue;
            }

            if (start3 < ip + ml + 3)
            {
                if (start3 >= ip + ml)
                {
                    if (start2 < ip + ml)
                    {
                        var correction = ip + ml - start2;
                        start2 += correction;
                        ref2 += correction;
                        ml2 -= correction;
                        if (ml2 < MinMatch)
                        {
                            start2 = start3;
                            ref2 = ref3;
                            ml2 = ml3;
                        }
                    }

                    op = EncodeSequence(src, ref ip, dst, op, ref anchor, ml, reference);
                    ip = start3;
                    reference = ref3;
                    ml = ml3;
                    start0 = start2;
                    ref0 = ref2;
                    ml0 = ml2;
                    goto Search2;
                }

                start2 = start3;
                ref2 = ref3;
                ml2 = ml3;
                goto Search3;
            }

            if (start2 < ip + ml)
            {
                if (start2 - ip < MlMask)
                {
                    ml = TrimOverlap(ip, ml, ref start2, ref ref2, ref ml2);
                }
                else
                {
                    ml = start2 - ip;
                }
            }

            op = EncodeSequence(src, ref ip, dst, op, ref anchor, ml, reference);
            ip = start2;
            reference = ref2;
            ml = ml2;
            start2 = start3;
            ref2 = ref3;
            ml2 = ml3;
            goto Search3;
        }

        return LastRun(src, anchor, dst, op);
    }

    // The overlap rule of LZ4HC_compress_generic (at _Search3 and before writing the first of three matches): the
    // first match shortened to at most OPTIMAL_ML and to end MINMATCH before the second ends; the second then starts
    // where the first ends. Returns the first's new length.
    private static int TrimOverlap(int ip, int ml, ref int start2, ref int ref2, ref int ml2)
    {
        if (ml > HcOptimalMl)
        {
            ml = HcOptimalMl;
        }

        if (ip + ml > start2 + ml2 - MinMatch)
        {
            ml = start2 - ip + ml2 - MinMatch;
        }

        var correction = ml - (start2 - ip);
        if (correction > 0)
        {
            start2 += correction;
            ref2 += correction;
            ml2 -= correction;
        }

        return ml;
    }

    // LZ4HC_encodeSequence (unlimited output).
    private static int EncodeSequence(ReadOnlySpan<byte> src, ref int ip, Span<byte> dst, int op, ref int anchor, int matchLength, int match)
    {
        op = Literals(src, anchor, ip - anchor, dst, op, out var token);
        BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)(ip - match));
        op += 2;
        var length = matchLength - MinMatch;
        if (length >= MlMask)
        {
            dst[token] += MlMask;
            op = Lengths(dst, op, length - MlMask);
        }
        else
        {
            dst[token] += (byte)length;
        }

        ip += matchLength;
        anchor = ip;
        return op;
    }

    /// <summary>
    /// LZ4HC_CCtx_internal for one block starting at source position 0: indices are positions + 64 KiB
    /// (<c>base = start - 64 KiB</c>, <c>dictLimit = lowLimit = 64 KiB</c>), so an empty head (0) or a maximal
    /// delta ends a chain.
    /// </summary>
    private readonly ref struct HcState(uint[] hashTable, ushort[] chainTable, int[] touched)
    {
        private readonly uint[] _hash = hashTable;
        private readonly ushort[] _chain = chainTable;
        private readonly int[] _touched = touched;
        private readonly int[] _nextToUpdate = [Window];

        // LZ4HC_init: hash heads 0, chain deltas 0xffff. Only the heads the previous call set are cleared (one per
        // position inserted) and only the chain entries of this block's positions filled: the same tables for
        // every read this block makes, without clearing 256 KiB per page.
        public void Init(int length)
        {
            for (var i = 1; i <= _touched[0]; i++)
            {
                _hash[_touched[i]] = 0;
            }

            _touched[0] = 0;
            _chain.AsSpan(0, length).Fill(0xffff);
            _nextToUpdate[0] = Window;
        }

        private static int HashPtr(ReadOnlySpan<byte> src, int pos) =>
            (int)((Read32(src, pos) * 2654435761u) >> (MinMatch * 8 - HcHashLog));

        // LZ4HC_Insert up to (not including) position ip.
        private void Insert(ReadOnlySpan<byte> src, int ip)
        {
            var target = ip + Window;
            var idx = _nextToUpdate[0];
            while (idx < target)
            {
                var h = HashPtr(src, idx - Window);
                var delta = (long)idx - _hash[h];
                if (delta > MaxDistance)
                {
                    delta = MaxDistance;
                }

                _chain[(ushort)idx] = (ushort)delta;
                if (_hash[h] == 0)
                {
                    _touched[++_touched[0]] = h;
                }

                _hash[h] = (uint)idx;
                idx++;
            }

            _nextToUpdate[0] = target;
        }

        public int InsertAndFindBestMatch(ReadOnlySpan<byte> src, int ip, int iLimit, ref int matchPos, int maxNbAttempts)
        {
            const int LowLimit = Window; // hc4->lowLimit: one block under 64 KiB never moves it
            var nbAttempts = maxNbAttempts;
            var ml = 0;
            Insert(src, ip);
            long matchIndex = _hash[HashPtr(src, ip)];
            while (matchIndex >= LowLimit && nbAttempts != 0)
            {
                nbAttempts--;
                var match = (int)matchIndex - Window;
                if (src[match + ml] == src[ip + ml] && Read32(src, match) == Read32(src, ip))
                {
                    var mlt = Count(src, ip + MinMatch, match + MinMatch, iLimit) + MinMatch;
                    if (mlt > ml)
                    {
                        ml = mlt;
                        matchPos = match;
                    }
                }

                matchIndex -= _chain[(ushort)matchIndex];
            }

            return ml;
        }

        public int InsertAndGetWiderMatch(ReadOnlySpan<byte> src, int ip, int iLowLimit, int iHighLimit, int longest,
                                          ref int matchPos, ref int startPos, int maxNbAttempts)
        {
            const int LowLimit = Window;
            var nbAttempts = maxNbAttempts;
            var delta = ip - iLowLimit;
            Insert(src, ip);
            long matchIndex = _hash[HashPtr(src, ip)];
            while (matchIndex >= LowLimit && nbAttempts != 0)
            {
                nbAttempts--;
                var matchPtr = (int)matchIndex - Window;
                if (src[iLowLimit + longest] == src[matchPtr - delta + longest] && Read32(src, matchPtr) == Read32(src, ip))
                {
                    var mlt = MinMatch + Count(src, ip + MinMatch, matchPtr + MinMatch, iHighLimit);
                    var back = 0;
                    while (ip + back > iLowLimit && matchPtr + back > 0 && src[ip + back - 1] == src[matchPtr + back - 1])
                    {
                        back--;
                    }

                    mlt -= back;
                    if (mlt > longest)
                    {
                        longest = mlt;
                        matchPos = matchPtr + back;
                        startPos = ip + back;
                    }
                }

                matchIndex -= _chain[(ushort)matchIndex];
            }

            return longest;
        }
    }
}
