using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>Our port of 6.1 <c>lib/lzo</c> (lzo1x_1_do_compress, lzogeneric1x_1_compress, lzo1x_decompress_safe).</summary>
[TestFixture]
public class Lzo1xTests
{
    [Test]
    public void ZeroPage_LzoRle_IsTwoZeroRuns()
    {
        // lzogeneric1x_1_compress (v1): 17, 1. do_compress starts at ip = in + 4, "literal:" moves to in + 5;
        // dv == 0 → zero run from 5, limit = min(ip_end = 4076, 5 + MAX_ZERO_RUN_LENGTH + 1 = 2057) → 2052, capped
        // 2051. Literals first: t = 5 → (t - 3) = 2 and 5 bytes. Run: le32((2047 << 21) | 0xfffc18 | 7).
        // At 2056 the next run ends at ip_end: 2020 → le32((2016 << 21) | 0xfffc18 | 0). 20 literals are left:
        // 0, 20 - 18 = 2, 20 bytes; then M4_MARKER | 1, 0, 0.
        var expected = new List<byte> { 17, 1, 2, 0, 0, 0, 0, 0 };
        expected.AddRange(BitConverter.GetBytes((2047u << 21) | 0xfffc18u | 7u));
        expected.AddRange(BitConverter.GetBytes((2016u << 21) | 0xfffc18u | 0u));
        expected.AddRange([0, 2]);
        expected.AddRange(new byte[20]);
        expected.AddRange([17, 0, 0]);
        var dst = new byte[8192];
        var n = Lzo1x.Compress(new byte[4096], dst, rle: true);
        dst[..n].Should().Equal(expected);
        n.Should().Be(41);
    }

    [Test]
    public void ShortInput_IsOneLiteralRun()
    {
        // in_len <= 20: no do_compress; op == data_start and t <= 238 → 17 + t, the bytes, then the end marker.
        var src = "hello, world"u8.ToArray();
        var dst = new byte[256];
        var n = Lzo1x.Compress(src, dst, rle: false);
        dst[..n].Should().Equal([(byte)(17 + 12), .. src, 17, 0, 0]);
    }

    public static IEnumerable<TestCaseData> Pages()
    {
        var rnd = new Random(7);
        var random = new byte[4096];
        rnd.NextBytes(random);
        yield return new TestCaseData(random).SetName("RoundTrip_Random");
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"pr_debug site {i % 37} in drivers/foo.c:{i}\n")))[..4096];
        yield return new TestCaseData(text).SetName("RoundTrip_Text");
        var records = new byte[4096];
        for (var i = 0; i + 56 <= records.Length; i += 56)
        {
            BitConverter.GetBytes(0xffffffff82000000UL + (ulong)(i / 56 % 5) * 64).CopyTo(records, i);
            BitConverter.GetBytes(0xffffffff82100000UL + (ulong)(i / 56) * 24).CopyTo(records, i + 8);
            BitConverter.GetBytes(0xffffffff82200000UL).CopyTo(records, i + 16);
            BitConverter.GetBytes(0xffffffff82300000UL + (ulong)i).CopyTo(records, i + 24);
            BitConverter.GetBytes(0x0012_0000_0000_0000UL | (uint)(i / 56 + 100)).CopyTo(records, i + 32);
        }

        yield return new TestCaseData(records).SetName("RoundTrip_Records");
        var sparse = new byte[4096];
        for (var i = 0; i < 4096; i += 700)
        {
            sparse[i] = (byte)(i / 7);
        }

        yield return new TestCaseData(sparse).SetName("RoundTrip_SparseZeros");
        var longRun = new byte[4096];
        rnd.NextBytes(longRun.AsSpan(0, 300));
        longRun.AsSpan(0, 300).CopyTo(longRun.AsSpan(2000));
        yield return new TestCaseData(longRun).SetName("RoundTrip_LongMatchAndZeros");
        var big = new byte[100_000];
        for (var i = 0; i < big.Length; i++)
        {
            big[i] = (byte)(i % 251 < 40 ? 0 : rnd.Next(4));
        }

        yield return new TestCaseData(big).SetName("RoundTrip_SeveralBlocks");
    }

    [TestCaseSource(nameof(Pages))]
    public void RoundTrip(byte[] page)
    {
        foreach (var rle in new[] { true, false })
        {
            var dst = new byte[Lzo1x.WorstCompress(page.Length)];
            var n = Lzo1x.Compress(page, dst, rle);
            n.Should().BeLessThanOrEqualTo(Lzo1x.WorstCompress(page.Length));
            (dst[0] == 17 && dst[1] == 1).Should().Be(rle, "only lzo-rle writes the version header");
            var back = new byte[page.Length];
            Lzo1x.Decompress(dst.AsSpan(0, n), back).Should().Be(page.Length);
            back.Should().Equal(page);
        }
    }

    [TestCase(4073)]
    [TestCase(4074)]
    [TestCase(4075)]
    public void ZeroRunStartingAtTheBlockEnd_IsFourBytes(int zeroFrom)
    {
        // Hash-like bytes to 2100 ((i × 2654435761) >> 13), then a copy of the page's start up to zeroFrom (one long match that stops exactly
        // there: the CTZ64 loop meets the mismatch before ip + m_len reaches ip_end = 4076), then zeros. "goto next"
        // tests ip = zeroFrom: a zero dword, ir = ip + 4 is already past limit = ip_end, neither scan runs and
        // run_length = 4, written as le32(0 << 21 | 0xfffc18 | 0) = 18 fc ff 00. (The kernel's own lzo1x_compress.c,
        // built for userspace, writes that instruction for these three pages too.)
        var page = new byte[4096];
        for (var i = 0; i < 2100; i++)
        {
            page[i] = (byte)(((ulong)i * 2654435761UL) >> 13);
        }

        page[zeroFrom - 2100] |= 1;
        page.AsSpan(0, zeroFrom - 2100).CopyTo(page.AsSpan(2100));
        var dst = new byte[8192];
        var n = Lzo1x.Compress(page, dst, rle: true);
        dst.AsSpan(0, n).IndexOf((ReadOnlySpan<byte>)[0x18, 0xfc, 0xff, 0x00]).Should().BePositive();
        var back = new byte[4096];
        Lzo1x.Decompress(dst.AsSpan(0, n), back).Should().Be(4096);
        back.Should().Equal(page);
    }

    [Test]
    public void Decompress_Truncated_IsAnOverrun()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefgh-0123456789 ", 200)));
        var dst = new byte[Lzo1x.WorstCompress(text.Length)];
        var n = Lzo1x.Compress(text, dst, rle: true);
        var back = new byte[text.Length];
        Lzo1x.Decompress(dst.AsSpan(0, n - 2), back).Should().BeNegative();
        Lzo1x.Decompress(dst.AsSpan(0, n), back.AsSpan(0, 100)).Should().Be(-5, "LZO_E_OUTPUT_OVERRUN");
    }
}
