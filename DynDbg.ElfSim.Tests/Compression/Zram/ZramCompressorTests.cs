using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary><see cref="ZramCompressor"/>: zcomp's page-in, buffer-out contract and the crypto drivers' parameters.</summary>
[TestFixture]
public class ZramCompressorTests
{
    private static byte[] TextPage() =>
        System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"ddebug {i % 29}: net/core/dev.c:{i * 7}\n")))[..4096];

    [Test]
    public void Zstd_FrameIsCryptoZstdsParameters()
    {
        // crypto/zstd.c: zstd_get_params(3, 0) → contentSizeFlag 1, checksumFlag 0, noDictIDFlag 0 (no dictionary,
        // so no ID); window 2^21 ≥ the pledged 4096 bytes → single segment. Frame header (RFC 8878 3.1.1.1):
        // magic 28 b5 2f fd; descriptor = FCS flag 1 (2-byte field) << 6 | single segment 0x20 = 0x60; the 2-byte
        // content size holds 4096 - 256 = 0x0f00. No checksum: the frame ends with its last block.
        var dst = new byte[8192];
        var n = ZramCompressor.Compress(ZramAlgorithm.Zstd, TextPage(), dst);
        dst[..7].Should().Equal(0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0x0f);
        using var d = new ZstdDecompressor();
        var back = new byte[4096];
        d.Decompress(dst.AsSpan(0, n), back).Should().Be(4096);
        back.Should().Equal(TextPage());
    }

    [TestCase(ZramAlgorithm.LzoRle)]
    [TestCase(ZramAlgorithm.Lz4)]
    [TestCase(ZramAlgorithm.Lz4Hc)]
    [TestCase(ZramAlgorithm.Zstd)]
    public void LengthIsTheBytesWritten(ZramAlgorithm algorithm)
    {
        var dst = new byte[ZramCompressor.BufferSize];
        Array.Fill(dst, (byte)0xee);
        var n = ZramCompressor.Compress(algorithm, TextPage(), dst);
        ZramCompressor.CompressedLength(algorithm, TextPage()).Should().Be(n);
        n.Should().BeInRange(100, 3000);
        if (algorithm != ZramAlgorithm.Zstd)
        {
            // our ports write only the block; zstd may use the rest of dst as scratch (zram copies comp_len bytes)
            dst.AsSpan(n).IndexOfAnyExcept((byte)0xee).Should().Be(-1, "nothing is written past the length");
        }
    }

    [Test]
    public void Contract_PageAndBufferSizes()
    {
        var small = () => ZramCompressor.Compress(ZramAlgorithm.Lz4, new byte[4095], new byte[8192]);
        var shortBuffer = () => ZramCompressor.Compress(ZramAlgorithm.Lz4, new byte[4096], new byte[4096]);
        small.Should().Throw<ArgumentException>();
        shortBuffer.Should().Throw<ArgumentException>();
    }

    [Test]
    public void Names_AreTheKernels()
    {
        ZramAlgorithmNames.All.Select(a => a.Name()).Should().Equal("lzo-rle", "lz4", "lz4hc", "zstd");
        ZramAlgorithmNames.TryParse("lz4hc", out var a).Should().BeTrue();
        a.Should().Be(ZramAlgorithm.Lz4Hc);
        ZramAlgorithmNames.TryParse("lzo", out _).Should().BeFalse();
        ZramCompressor.Implementation(ZramAlgorithm.LzoRle).Should().Contain("lib/lzo");
        ZramCompressor.Implementation(ZramAlgorithm.Zstd).Should().MatchRegex("zstd|libzstd");
    }
}
