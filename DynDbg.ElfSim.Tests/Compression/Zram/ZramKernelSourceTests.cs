using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Compression.Zram;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>
/// <see cref="ZramCompressor"/> and the zsmalloc size classes against 6.1's own code compiled for userspace
/// (<see cref="ZramKernelCode"/>, scripts/zram-oracle): real __dyndbg bytes (the amd64 vmlinux's table, each
/// architecture's vmlinux.o built from linux-source and its vmlinux (<see cref="Real.BuiltVmlinux"/>), and a sample
/// of every Debian architecture's modules, their records as stored and their v5 site columns) and edge-case pages,
/// page by page, every algorithm: the compressed bytes must be the kernel's, exactly (zstd: but for the pinned edge
/// pages). zstd is checked twice: as the
/// library runs it (the system's libzstd 1.5.x when present) and on ZstdSharp.Port (the AOT binary's), both given
/// crypto/zstd.c's parameters, against 6.1's lib/zstd 1.4.10 (docs/compression.md, "zram's compressors").
/// </summary>
[TestFixture]
[Category("KernelSource")]
[NonParallelizable] // real-kernel fixtures run one at a time
public class ZramKernelSourceTests
{
    private const int PageSize = ZramKernelCode.PageSize;

    // crypto/zstd.c: zstd_get_params(ZSTD_DEF_LEVEL = 3, 0) is lib/zstd's level-3 row for an unknown size
    // (ZSTD_defaultCParameters[0][3]: windowLog 21, chainLog 16, hashLog 17, searchLog 1, minMatch 5, targetLength 0,
    // dfast) with contentSizeFlag 1, checksumFlag 0, noDictIDFlag 0; zstd_compress_cctx sets each of them and
    // pledges the source size (zstd_cctx_init). Written out here from the kernel source, not from ZramCompressor.
    private static readonly (int Parameter, int Value)[] CryptoZstdParameters =
        [(101, 21), (102, 17), (103, 16), (104, 1), (105, 5), (106, 0), (107, 2), (200, 1), (201, 0), (202, 1)];

    private readonly ZstdCompressor managedZstd = new(3, zstd: ZstdSelection.Managed);

    [OneTimeSetUp]
    public void SetKernelParameters()
    {
        foreach (var (p, v) in CryptoZstdParameters)
        {
            managedZstd.SetParameter(p, v);
        }
    }

    [OneTimeTearDown]
    public void Dispose() => managedZstd.Dispose();

    [TestCaseSource(typeof(Real.RealInputs), nameof(Real.RealInputs.AllArches))]
    public void RealTables_EveryAlgorithm_EveryPage_IsTheKernelsOwnBytes(string arch)
    {
        var blobs = new List<ZramRealBlobs.Named>();
        if (arch == "amd64")
        {
            blobs.AddRange(ZramRealBlobs.Of(Real.RealInputs.Vmlinux("amd64"), "amd64:vmlinux"));


            // the largest tables of the zram ground truth (scripts/qemu/zram-blobs.sh); amdgpu's records have a page
            // whose zero run starts within 4 bytes of lzo's ip_end
            var tree = Real.RealInputs.Arch("amd64");
            foreach (var ko in new[] { "drivers/gpu/drm/amd/amdgpu/amdgpu.ko", "net/bluetooth/bluetooth.ko", "fs/smb/client/cifs.ko" })
            {
                blobs.AddRange(ZramRealBlobs.Of(Path.Combine(tree.Modules, "kernel", ko), $"amd64:{ko}"));
            }
        }

        // the arch's real vmlinux.o (its __dyndbg as stored: pointers left to the relocations) and the vmlinux made from it
        blobs.AddRange(ZramRealBlobs.Of(Real.BuiltVmlinux.ObjectOf(arch), $"{arch}:linux-source:vmlinux.o"));
        blobs.AddRange(ZramRealBlobs.Of(Real.BuiltVmlinux.LinkedOf(arch), $"{arch}:linux-source:vmlinux"));
        blobs.AddRange(ZramRealBlobs.Modules(arch, every: 25, max: 40));
        blobs.Should().HaveCountGreaterThan(40, $"{arch}: records and site columns of a sample of modules");
        CompareEveryPage(arch, blobs);
        differences.Should().BeEmpty();
    }

    /// <summary>
    /// The oracle's <c>time</c> mode, which docs/compression.md quotes for the cost of a zram Get (one page
    /// decompressed by the kernel's own code) and of a stream (every page): one line per algorithm, every page
    /// counted, and a page that decompresses in some time.
    /// </summary>
    [Test]
    public void TimeMode_GivesEveryAlgorithmsCostPerPage()
    {
        var blob = Path.Combine(Path.GetTempPath(), $"dyndbg-zram-time-{Environment.ProcessId}.bin");
        try
        {
            var bytes = ZramRealBlobs.Of(Real.RealInputs.Vmlinux("amd64"), "amd64:vmlinux").First().Bytes;
            File.WriteAllBytes(blob, bytes);
            var (rc, output, err) = Tools.Run(ZramKernelCode.OraclePath, "time", "3", blob);
            (rc, err).Should().Be((0, ""));
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
            lines.Select(l => l[2]).Should().Equal(ZramKernelCode.Algorithms);
            lines.Should().OnlyContain(l => l[0] == "T" && l[1] == blob && long.Parse(l[3], System.Globalization.CultureInfo.InvariantCulture) == (bytes.Length + PageSize - 1) / PageSize);
            lines.Should().OnlyContain(l => long.Parse(l[4], System.Globalization.CultureInfo.InvariantCulture) > 0 && long.Parse(l[5], System.Globalization.CultureInfo.InvariantCulture) > 0);
        }
        finally
        {
            File.Delete(blob);
        }
    }

    /// <summary>
    /// Pages the real tables do not reach: incompressible (random: lz4's and lzo's expansion, zstd's raw block),
    /// all zeros and all 0xff (same-filled; the compressors still run here), long zero runs with a byte between
    /// (lzo-rle's run encoding, lz4hc's chains over a repeated pattern), a short period, text, a page that is half
    /// random, and one past huge_class_size for every algorithm.
    /// lzo-rle, lz4 and lz4hc (ports of 6.1's lib/lzo and lib/lz4) give the kernel's bytes on every one. zstd is pinned
    /// to its documented difference (docs/compression.md), which no real __dyndbg page above and no blob of the zram
    /// ground truth hits: on pages with random stretches, a counting pattern or a two-byte period it is one or two
    /// bytes longer than the kernel's, from the first block header on. libzstd 1.5.4 and ZstdSharp.Port (1.5.7) agree
    /// with each other; 6.1's lib/zstd is 1.4.10, and 1.5 changed how a block's literals and sequences are chosen.
    /// (K4os.Compression.LZ4, lz4 1.9's HC, used for lz4hc before the port, was a byte shorter on five of these pages:
    /// its match finder analyses repeated patterns, 6.1's lz4 1.7.3 does not.)
    /// </summary>
    [Test]
    public void EdgePages_EveryAlgorithm_IsTheKernelsOwnBytes()
    {
        var random = new Random(16);
        byte[] Page(Action<byte[]> fill)
        {
            var p = new byte[PageSize];
            fill(p);
            return p;
        }

        var pages = new List<ZramRealBlobs.Named>
        {
            new("random", Page(random.NextBytes)),
            new("zeros", new byte[PageSize]),
            new("0xff", Page(p => p.AsSpan().Fill(0xff))),
            new("zeros, one byte every 1000", Page(p => { for (var i = 999; i < PageSize; i += 1000) { p[i] = 1; } })),
            new("zeros, one byte every 100", Page(p => { for (var i = 99; i < PageSize; i += 100) { p[i] = 1; } })),
            new("zeros, one byte every 300", Page(p => { for (var i = 299; i < PageSize; i += 300) { p[i] = 1; } })),
            new("zeros, one byte every 2000", Page(p => { for (var i = 1999; i < PageSize; i += 2000) { p[i] = 1; } })),
            new("0x20, one byte every 1000", Page(p => { p.AsSpan().Fill(0x20); for (var i = 999; i < PageSize; i += 1000) { p[i] = 1; } })),
            new("abab, one byte every 1000", Page(p => { for (var i = 0; i < PageSize; i++) { p[i] = (byte)(i % 2 == 0 ? 'a' : 'b'); } for (var i = 999; i < PageSize; i += 1000) { p[i] = 1; } })),
            new("record then zeros", Page(p => random.NextBytes(p.AsSpan(0, 56)))),
            new("3 records then zeros", Page(p => random.NextBytes(p.AsSpan(0, 168)))),
        };

        // a match running up to a zero run that starts within 4 bytes of lzo's ip_end (in_end - 20): the run scan
        // of lib/lzo then runs none of its loops (amdgpu's __dyndbg has such a page)
        for (var end = 4068; end <= 4078; end++)
        {
            var stop = end;
            pages.Add(new($"period 8 up to {stop}, then zeros", Page(p => { for (var i = 0; i < stop; i++) { p[i] = (byte)(1 + i % 8); } })));
        }

        pages.AddRange(new List<ZramRealBlobs.Named>
        {
            new("zeros, one byte at 2047 and 4095", Page(p => { p[2047] = 7; p[4095] = 7; })),
            new("zeros, 4 bytes at 0", Page(p => p.AsSpan(0, 4).Fill(0x5a))),
            new("period 3", Page(p => { for (var i = 0; i < PageSize; i++) { p[i] = (byte)(i % 3); } })),
            new("counting words", Page(p => { for (var i = 0; i < PageSize / 4; i++) { BitConverter.TryWriteBytes(p.AsSpan(i * 4), i); } })),
            new("text", Page(p => System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("dyndbg: module bnep +p; file core.c:42 -p\n", 100)))[..PageSize].CopyTo(p, 0))),
            new("half random", Page(p => random.NextBytes(p.AsSpan(0, PageSize / 2)))),
            new("random, zero tail", Page(p => random.NextBytes(p.AsSpan(0, 3400)))),
        });
        CompareEveryPage("edge pages", pages);
        IEnumerable<string> Zstd(string page, int ours, int kernels) =>
        [
            $"{page} page 0 with zstd ({ZramCompressor.Implementation(ZramAlgorithm.Zstd)}): ours {ours} bytes, the kernel's {kernels}, first difference at byte 7",
            $"{page} page 0 with zstd on ZstdSharp.Port: ours {ours} bytes, the kernel's {kernels}, first difference at byte 7",
        ];
        differences.Should().BeEquivalentTo(Zstd("abab, one byte every 1000", 30, 29).Concat(Zstd("counting words", 1955, 1953))
            .Concat(Zstd("half random", 2075, 2074)).Concat(Zstd("random, zero tail", 3421, 3420)));
    }

    [Test]
    public void SizeClasses_AreZsCreatePools_AndZsMallocTakesTheKernelsClassForEverySize()
    {
        var kernel = ZramKernelCode.Classes();
        kernel.ForIndex.Should().HaveCount(255, "4 KiB pages: (4096 - 32) / 16 + 1 classes");
        new ZramDevice(ZramAlgorithm.LzoRle).HugeClassSize.Should().Be(kernel.HugeClassSize, "zs_huge_class_size");
        for (var size = 1; size <= PageSize; size++)
        {
            var k = kernel.ForMalloc[size - 1];
            var ours = ZsPoolModel.Allocate(size, 1);
            (ours.ClassSize, ours.PagesPerZspage, ours.ObjectsPerZspage).Should().Be((k.Size, k.PagesPerZspage, k.ObjsPerZspage),
                $"zs_malloc({size}) takes class {k.Index}");

            // A fresh pool of equal objects fills one zspage after another.
            var count = 3L * k.ObjsPerZspage + 1;
            ZsPoolModel.Allocate(size, count).Pages.Should().Be(4L * k.PagesPerZspage, $"{count} objects of {size} bytes");
        }

        TestContext.Out.WriteLine($"huge_class_size {kernel.HugeClassSize}; {kernel.ForIndex.Select(c => c.Index).Distinct().Count()} distinct classes " +
                                  "after merging; zs_malloc's class agrees for every size 1..4096");
    }

    private void CompareEveryPage(string what, IReadOnlyList<ZramRealBlobs.Named> blobs)
    {
        differences.Clear();
        var kernel = ZramKernelCode.Compress(blobs.Select(b => b.Bytes).ToList());
        var dst = new byte[ZramCompressor.BufferSize];
        var back = new byte[PageSize];
        using var decompressor = new ZstdDecompressor(zstd: ZstdSelection.Managed);
        var (pages, same) = (0, 0);
        var bytes = ZramAlgorithmNames.All.ToDictionary(a => a, _ => 0L);
        for (var i = 0; i < blobs.Count; i++)
        {
            var padded = new byte[(blobs[i].Bytes.Length + PageSize - 1) / PageSize * PageSize];
            blobs[i].Bytes.CopyTo(padded, 0);
            kernel[i].Pages.Should().HaveCount(padded.Length / PageSize, blobs[i].Name);
            for (var p = 0; p < kernel[i].Pages.Count; p++)
            {
                var page = padded.AsSpan(p * PageSize, PageSize);
                var k = kernel[i].Pages[p];
                var where = $"{blobs[i].Name} page {p}";
                pages++;
                same += k.Same ? 1 : 0;
                ZramDevice.PageSameFilled(page).Should().Be(k.Same, $"{where}: page_same_filled");
                foreach (var a in ZramAlgorithmNames.All)
                {
                    var n = ZramCompressor.Compress(a, page, dst);
                    Same(dst.AsSpan(0, n), k.Compressed[a.Name()], $"{where} with {a.Name()} ({ZramCompressor.Implementation(a)})");
                    ZramCompressor.CompressedLength(a, page).Should().Be(n, where);
                    bytes[a] += n;
                }

                var z = managedZstd.Compress(page, dst);
                Same(dst.AsSpan(0, z), k.Compressed["zstd"], $"{where} with zstd on ZstdSharp.Port");
                decompressor.Decompress(k.Compressed["zstd"], back).Should().Be(PageSize, $"{where}: the kernel's zstd frame read by ZstdSharp");
                back.AsSpan().SequenceEqual(page).Should().BeTrue(where);
            }
        }

        TestContext.Out.WriteLine($"{what}: {blobs.Count} blobs, {pages} pages ({same} same-filled), the kernel's bytes from every algorithm: " +
                                  string.Join(", ", bytes.Select(b => $"{b.Key.Name()} {b.Value} bytes")) + "; zstd also on ZstdSharp.Port");
    }

    private readonly List<string> differences = [];

    private void Same(ReadOnlySpan<byte> ours, byte[] kernels, string where)
    {
        if (!ours.SequenceEqual(kernels))
        {
            differences.Add($"{where}: ours {ours.Length} bytes, the kernel's {kernels.Length}, first difference at byte {ours.CommonPrefixLength(kernels)}");
        }
    }
}
