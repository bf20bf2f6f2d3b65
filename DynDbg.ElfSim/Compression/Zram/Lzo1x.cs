using System.Buffers.Binary;
using System.Numerics;

namespace DynDbg.ElfSim.Compression.Zram;

/// <summary>
/// Our port of 6.1 <c>lib/lzo</c>: <see cref="Compress"/> is <c>lzogeneric1x_1_compress</c> +
/// <c>lzo1x_1_do_compress</c> (<c>lzo1x_compress.c</c>) — bitstream version 0 (<c>lzo1x_1_compress</c>, crypto
/// "lzo") or version 1 with the zero-run (RLE) instruction (<c>lzorle1x_1_compress</c>, crypto "lzo-rle", zram's 6.1
/// default) — following the x86_64/arm64 build (<c>LZO_USE_CTZ64</c>: match lengths grow 8 bytes at a time, which
/// decides where a match stops near the end of a block); <see cref="Decompress"/> is
/// <c>lzo1x_decompress_safe</c> (<c>lzo1x_decompress_safe.c</c>), byte by byte. The dictionary is 2^13 16-bit
/// positions (D_BITS 13), cleared for every block of at most M4_MAX_OFFSET + 1 bytes.
/// </summary>
public static class Lzo1x
{
    private const int DBits = 13;
    private const int DSize = 1 << DBits;
    private const int DMask = DSize - 1;
    private const int M2MaxLen = 8, M3MaxLen = 33, M4MaxLen = 9;
    private const int M2MaxOffset = 0x0800, M3MaxOffset = 0x4000;
    private const int M4MaxOffsetV0 = 0xbfff, M4MaxOffsetV1 = 0xbffe;
    private const int M3Marker = 32, M4Marker = 16;
    private const int MinZeroRunLength = 4, MaxZeroRunLength = 2047 + MinZeroRunLength;
    private const byte BitstreamVersion = 1; // LZO_VERSION

    [ThreadStatic] private static ushort[]? t_dict;

    /// <summary>lzo1x's worst case for <paramref name="length"/> input bytes (<c>lzo1x_worst_compress</c>).</summary>
    public static int WorstCompress(int length) => length + length / 16 + 64 + 3 + 2;

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/> (at least
    /// <see cref="WorstCompress"/> bytes) and returns the length, as <c>lzorle1x_1_compress</c>
    /// (<paramref name="rle"/>) or <c>lzo1x_1_compress</c> does.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, bool rle)
    {
        if (destination.Length < WorstCompress(source.Length))
        {
            throw new ArgumentException($"the destination must hold {WorstCompress(source.Length)} bytes", nameof(destination));
        }

        var dict = t_dict ??= new ushort[DSize];
        var version = rle ? BitstreamVersion : (byte)0;
        var op = 0;
        int m4MaxOffset;
        if (version > 0)
        {
            destination[op++] = 17;
            destination[op++] = version;
            m4MaxOffset = M4MaxOffsetV1;
        }
        else
        {
            m4MaxOffset = M4MaxOffsetV0;
        }

        var dataStart = op;
        var ip = 0;
        var l = source.Length;
        var t = 0;
        var stateOffset = -2;
        while (l > 20)
        {
            var ll = Math.Min(l, m4MaxOffset + 1);
            Array.Clear(dict);
            op = DoCompress(source, ip, ll, destination, op, ref t, dict, ref stateOffset, version);
            ip += ll;
            l -= ll;
        }

        t += l;
        if (t > 0)
        {
            var ii = source.Length - t;
            if (op == dataStart && t <= 238)
            {
                destination[op++] = (byte)(17 + t);
            }
            else if (t <= 3)
            {
                destination[op + stateOffset] |= (byte)t;
            }
            else if (t <= 18)
            {
                destination[op++] = (byte)(t - 3);
            }
            else
            {
                op = LongCount(destination, op, t - 18);
            }

            source.Slice(ii, t).CopyTo(destination[op..]);
            op += t;
        }

        destination[op++] = M4Marker | 1;
        destination[op++] = 0;
        destination[op++] = 0;
        return op;
    }

    // "*op++ = 0; while (tt > 255) { tt -= 255; *op++ = 0; } *op++ = tt;"
    private static int LongCount(Span<byte> dst, int op, int tt)
    {
        dst[op++] = 0;
        while (tt > 255)
        {
            tt -= 255;
            dst[op++] = 0;
        }

        dst[op++] = (byte)tt;
        return op;
    }

    private static ulong Le64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    // lzo1x_1_do_compress over the block input[start, start + length) (dictionary positions relative to start);
    // ti/tp: literals carried in from the previous block. Returns the new output position.
    private static int DoCompress(ReadOnlySpan<byte> input, int start, int length, Span<byte> dst, int op, ref int tp, ushort[] dict, ref int stateOffset, byte version)
    {
        var inEnd = start + length;
        var ipEnd = inEnd - 20;
        var ti = tp;
        var ip = start;
        var ii = start;
        ip += ti < 4 ? 4 - ti : 0;
        var advance = true; // false: "goto next" (after an instruction), true: "literal:" (skip ahead)
        for (;;)
        {
            if (advance)
            {
                ip += 1 + ((ip - ii) >> 5);
            }

            advance = true;
            if (ip >= ipEnd)
            {
                break;
            }

            var dv = BinaryPrimitives.ReadUInt32LittleEndian(input[ip..]);
            var mPos = 0;
            var runLength = 0;
            if (dv == 0 && version != 0)
            {
                var ir = ip + 4;
                var limit = Math.Min(ipEnd, ip + MaxZeroRunLength + 1);
                // The CTZ64 scan (32, then 8 bytes at a time, then bytes) stops at the first non-zero byte below
                // limit, or at limit: that is all it computes. Near ip_end, ir may start past limit and stays.
                if (ir < limit)
                {
                    var rest = input[ir..limit].IndexOfAnyExcept((byte)0);
                    ir = rest < 0 ? limit : ir + rest;
                }

                runLength = Math.Min(ir - ip, MaxZeroRunLength);
            }
            else
            {
                var h = (int)(((dv * 0x1824429du) >> (32 - DBits)) & DMask);
                mPos = start + dict[h];
                dict[h] = (ushort)(ip - start);
                if (dv != BinaryPrimitives.ReadUInt32LittleEndian(input[mPos..]))
                {
                    continue; // goto literal
                }
            }

            ii -= ti;
            ti = 0;
            var t = ip - ii;
            if (t != 0)
            {
                if (t <= 3)
                {
                    dst[op + stateOffset] |= (byte)t;
                }
                else if (t <= 16)
                {
                    dst[op++] = (byte)(t - 3);
                }
                else if (t <= 18)
                {
                    dst[op++] = (byte)(t - 3);
                }
                else
                {
                    op = LongCount(dst, op, t - 18);
                }

                input.Slice(ii, t).CopyTo(dst[op..]); // ii is before start when literals were carried in
                op += t;
            }

            if (runLength != 0)
            {
                ip += runLength;
                runLength -= MinZeroRunLength;
                BinaryPrimitives.WriteUInt32LittleEndian(dst[op..], (uint)((runLength << 21) | 0xfffc18 | (runLength & 0x7)));
                op += 4;
                stateOffset = -3;
                ii = ip;
                advance = false;
                continue;
            }

            // LZO_USE_CTZ64: compare 8 bytes at a time from m_len 4.
            var mLen = 4;
            var v = Le64(input, ip + mLen) ^ Le64(input, mPos + mLen);
            var done = false;
            if (v == 0)
            {
                do
                {
                    mLen += 8;
                    v = Le64(input, ip + mLen) ^ Le64(input, mPos + mLen);
                    if (ip + mLen >= ipEnd)
                    {
                        done = true; // goto m_len_done
                        break;
                    }
                }
                while (v == 0);
            }

            if (!done)
            {
                mLen += BitOperations.TrailingZeroCount(v) / 8;
            }

            var mOff = ip - mPos;
            ip += mLen;
            if (mLen <= M2MaxLen && mOff <= M2MaxOffset)
            {
                mOff -= 1;
                dst[op++] = (byte)(((mLen - 1) << 5) | ((mOff & 7) << 2));
                dst[op++] = (byte)(mOff >> 3);
            }
            else if (mOff <= M3MaxOffset)
            {
                mOff -= 1;
                if (mLen <= M3MaxLen)
                {
                    dst[op++] = (byte)(M3Marker | (mLen - 2));
                }
                else
                {
                    mLen -= M3MaxLen;
                    dst[op++] = M3Marker | 0;
                    while (mLen > 255)
                    {
                        mLen -= 255;
                        dst[op++] = 0;
                    }

                    dst[op++] = (byte)mLen;
                }

                dst[op++] = (byte)(mOff << 2);
                dst[op++] = (byte)(mOff >> 6);
            }
            else
            {
                mOff -= 0x4000;
                if (mLen <= M4MaxLen)
                {
                    dst[op++] = (byte)(M4Marker | ((mOff >> 11) & 8) | (mLen - 2));
                }
                else
                {
                    if ((mOff & 0x403f) == 0x403f && mLen >= 261 && mLen <= 264 && version != 0)
                    {
                        // lzo-rle: such a copy would read as a zero run; shorten it to 260.
                        ip -= mLen - 260;
                        mLen = 260;
                    }

                    mLen -= M4MaxLen;
                    dst[op++] = (byte)(M4Marker | ((mOff >> 11) & 8));
                    while (mLen > 255)
                    {
                        mLen -= 255;
                        dst[op++] = 0;
                    }

                    dst[op++] = (byte)mLen;
                }

                dst[op++] = (byte)(mOff << 2);
                dst[op++] = (byte)(mOff >> 6);
            }

            stateOffset = -2;
            ii = ip;
            advance = false;
        }

        tp = inEnd - (ii - ti);
        return op;
    }

    // A long length in lzo1x_decompress_safe: a run of zero bytes, each worth 255, then one byte; false when the
    // input ends inside it (LZO_E_INPUT_OVERRUN).
    private static bool LongLength(ReadOnlySpan<byte> source, ref int ip, out int extra)
    {
        var ipLast = ip;
        while (ip < source.Length && source[ip] == 0)
        {
            ip++;
        }

        extra = 0;
        if (ip >= source.Length)
        {
            return false;
        }

        var zeros = ip - ipLast;
        extra = (zeros << 8) - zeros + source[ip++];
        return true;
    }

    /// <summary>
    /// <c>lzo1x_decompress_safe</c>: decompresses <paramref name="source"/> (either bitstream version) into
    /// <paramref name="destination"/>; the length, or a negative LZO_E_* code (-4 input overrun, -5 output overrun,
    /// -6 look-behind overrun, -8 input not consumed, -1 error).
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        const int EInputOverrun = -4, EOutputOverrun = -5, ELookbehindOverrun = -6, EError = -1, EInputNotConsumed = -8;
        var ip = 0;
        var op = 0;
        var ipEnd = source.Length;
        var opEnd = destination.Length;
        int t, next = 0, state = 0, mPos = 0;
        if (source.Length < 3)
        {
            return EInputOverrun;
        }

        byte version = 0;
        if (source.Length >= 5 && source[0] == 17)
        {
            version = source[1];
            ip += 2;
        }

        bool HaveIp(int x) => ipEnd - ip >= x;
        bool HaveOp(int x) => opEnd - op >= x;

        // A small state machine for the C gotos: 0 = top of loop, 1 = copy_literal_run, 2 = copy match, 3 = match_next.
        var step = 0;
        t = 0;
        if (source[ip] > 17)
        {
            t = source[ip++] - 17;
            if (t < 4)
            {
                next = t;
                step = 3;
            }
            else
            {
                step = 1;
            }
        }

        for (;;)
        {
            if (step == 0)
            {
                if (!HaveIp(1))
                {
                    return EInputOverrun;
                }

                t = source[ip++];
                if (t < 16)
                {
                    if (state == 0)
                    {
                        if (t == 0)
                        {
                            if (!LongLength(source, ref ip, out var extra))
                            {
                                return EInputOverrun;
                            }

                            t += extra + 15;
                        }

                        t += 3;
                        step = 1;
                    }
                    else if (state != 4)
                    {
                        next = t & 3;
                        if (!HaveIp(1))
                        {
                            return EInputOverrun;
                        }

                        mPos = op - 1 - (t >> 2) - (source[ip++] << 2);
                        if (mPos < 0)
                        {
                            return ELookbehindOverrun;
                        }

                        if (!HaveOp(2))
                        {
                            return EOutputOverrun;
                        }

                        destination[op++] = destination[mPos++];
                        destination[op++] = destination[mPos];
                        step = 3;
                        continue;
                    }
                    else
                    {
                        next = t & 3;
                        if (!HaveIp(1))
                        {
                            return EInputOverrun;
                        }

                        mPos = op - (1 + M2MaxOffset) - (t >> 2) - (source[ip++] << 2);
                        t = 3;
                        step = 2;
                    }
                }
                else if (t >= 64)
                {
                    next = t & 3;
                    if (!HaveIp(1))
                    {
                        return EInputOverrun;
                    }

                    mPos = op - 1 - ((t >> 2) & 7) - (source[ip++] << 3);
                    t = (t >> 5) - 1 + (3 - 1);
                    step = 2;
                }
                else if (t >= 32)
                {
                    t = (t & 31) + (3 - 1);
                    if (t == 2)
                    {
                        if (!LongLength(source, ref ip, out var extra))
                        {
                            return EInputOverrun;
                        }

                        t += extra + 31;
                    }

                    if (!HaveIp(2))
                    {
                        return EInputOverrun;
                    }

                    next = BinaryPrimitives.ReadUInt16LittleEndian(source[ip..]);
                    ip += 2;
                    mPos = op - 1 - (next >> 2);
                    next &= 3;
                    step = 2;
                }
                else
                {
                    if (!HaveIp(2))
                    {
                        return EInputOverrun;
                    }

                    next = BinaryPrimitives.ReadUInt16LittleEndian(source[ip..]);
                    if ((next & 0xfffc) == 0xfffc && (t & 0xf8) == 0x18 && version != 0)
                    {
                        if (!HaveIp(3))
                        {
                            return EInputOverrun;
                        }

                        t &= 7;
                        t |= source[ip + 2] << 3;
                        t += MinZeroRunLength;
                        if (!HaveOp(t))
                        {
                            return EOutputOverrun;
                        }

                        destination.Slice(op, t).Clear();
                        op += t;
                        next &= 3;
                        ip += 3;
                        step = 3;
                        continue;
                    }

                    mPos = op - ((t & 8) << 11);
                    t = (t & 7) + (3 - 1);
                    if (t == 2)
                    {
                        if (!LongLength(source, ref ip, out var extra))
                        {
                            return EInputOverrun;
                        }

                        t += extra + 7;
                        if (!HaveIp(2))
                        {
                            return EInputOverrun;
                        }

                        next = BinaryPrimitives.ReadUInt16LittleEndian(source[ip..]);
                    }

                    ip += 2;
                    mPos -= next >> 2;
                    next &= 3;
                    if (mPos == op)
                    {
                        // eof_found
                        return t != 3 ? EError : ip == ipEnd ? op : ip < ipEnd ? EInputNotConsumed : EInputOverrun;
                    }

                    mPos -= 0x4000;
                    step = 2;
                }
            }

            if (step == 1)
            {
                // copy_literal_run
                if (!HaveOp(t))
                {
                    return EOutputOverrun;
                }

                if (!HaveIp(t + 3))
                {
                    return EInputOverrun;
                }

                source.Slice(ip, t).CopyTo(destination[op..]);
                ip += t;
                op += t;
                state = 4;
                step = 0;
                continue;
            }

            if (step == 2)
            {
                if (mPos < 0)
                {
                    return ELookbehindOverrun;
                }

                if (!HaveOp(t))
                {
                    return EOutputOverrun;
                }

                for (var k = 0; k < t; k++)
                {
                    destination[op++] = destination[mPos++]; // overlapping copies repeat, as the C loop does
                }

                step = 3;
            }

            // match_next
            state = next;
            t = next;
            if (!HaveIp(t + 3))
            {
                return EInputOverrun;
            }

            if (!HaveOp(t))
            {
                return EOutputOverrun;
            }

            source.Slice(ip, t).CopyTo(destination[op..]);
            op += t;
            ip += t;
            step = 0;
        }
    }
}
