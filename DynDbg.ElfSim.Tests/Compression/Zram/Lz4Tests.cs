using DynDbg.ElfSim.Compression.Zram;
using K4os.Compression.LZ4;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>
/// Our port of 6.1 <c>lib/lz4</c> (<c>LZ4_compress_generic</c> byU16, <c>LZ4HC_compress_generic</c>): hand-worked
/// blocks, and round trips through K4os.Compression.LZ4's decoder (an independent implementation of the format).
/// </summary>
[TestFixture]
public class Lz4Tests
{
    [Test]
    public void ZeroPage_Fast_IsOneLiteralOneMatch()
    {
        // LZ4_compress_generic: position 0 hashed, ip = 1 finds match 0 (same hash, same 4 bytes); no catch-up
        // (match == source). Token: 1 literal, offset 1, matchCode = LZ4_count(5, 4, matchlimit 4091) = 4086
        // (a 4 + 4086-byte match) → ML_MASK 15 in the token, 4086 - 15 = 4071 = 15 × 255 + 246. ip = 4091 >
        // mflimit 4084: the last 5 bytes are literals.
        var expected = new List<byte> { 0x1f, 0x00, 0x01, 0x00 };
        expected.AddRange(Enumerable.Repeat((byte)255, 15));
        expected.Add(246);
        expected.AddRange([0x50, 0, 0, 0, 0, 0]);
        var dst = new byte[8192];
        var n = Lz4.CompressDefault(new byte[4096], dst);
        dst[..n].Should().Equal(expected);
    }

    [Test]
    public void ShortInput_IsAllLiterals()
    {
        // inputSize < LZ4_minLength (13): _last_literals only; LZ4HC never enters its loop (ip < mflimit fails).
        var src = "short input"u8.ToArray();
        var dst = new byte[64];
        var n = Lz4.CompressDefault(src, dst);
        dst[..n].Should().Equal([(byte)(src.Length << 4), .. src]);
        n = Lz4.CompressHc(src, dst);
        dst[..n].Should().Equal([(byte)(src.Length << 4), .. src]);
    }

    public static IEnumerable<TestCaseData> Pages()
    {
        var rnd = new Random(11);
        var random = new byte[4096];
        rnd.NextBytes(random);
        yield return new TestCaseData(random).SetName("Lz4RoundTrip_Random");
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"dynamic_debug: {i % 17} drivers/usb/core/hub.c:{i}\n")))[..4096];
        yield return new TestCaseData(text).SetName("Lz4RoundTrip_Text");
        var periodic = new byte[4096];
        for (var i = 0; i < periodic.Length; i++)
        {
            periodic[i] = (byte)(i % 56 < 8 ? i / 56 : i % 56 < 16 ? 0xff : i % 7);
        }

        yield return new TestCaseData(periodic).SetName("Lz4RoundTrip_Records");
        var two = new byte[4096];
        for (var i = 0; i < two.Length; i++)
        {
            two[i] = (byte)(rnd.Next(2) == 0 ? 'a' : 'b');
        }

        yield return new TestCaseData(two).SetName("Lz4RoundTrip_TwoLetters");
        yield return new TestCaseData(new byte[4096]).SetName("Lz4RoundTrip_Zeros");
    }

    [TestCaseSource(nameof(Pages))]
    public void RoundTrip(byte[] page)
    {
        var dst = new byte[Lz4.CompressBound(page.Length)];
        var back = new byte[page.Length];
        var n = Lz4.CompressDefault(page, dst);
        LZ4Codec.Decode(dst.AsSpan(0, n), back).Should().Be(page.Length);
        back.Should().Equal(page);
        var nHc = Lz4.CompressHc(page, dst, Lz4.HcDefaultLevel);
        Array.Clear(back);
        LZ4Codec.Decode(dst.AsSpan(0, nHc), back).Should().Be(page.Length);
        back.Should().Equal(page);
        nHc.Should().BeLessThanOrEqualTo(n + 2, "the HC search finds at least the fast parser's matches on these pages");
    }

    [Test]
    public void Hc_MoreAttemptsNeverLonger_OnText()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 600).Select(i => $"{i * 7919 % 1000} x{i % 23}y ")))[..4096];
        var dst = new byte[8192];
        var n1 = Lz4.CompressHc(text, dst, 1);
        var n9 = Lz4.CompressHc(text, dst, 9);
        n9.Should().BeLessThan(n1);
    }
}
