using System.Diagnostics;
using System.Globalization;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>
/// 6.1's own compressors and zsmalloc size classes, compiled for userspace by <c>scripts/zram-oracle/build.sh</c>
/// (lib/lzo, lib/lz4, lib/zstd 1.4.10, lib/xxhash.c, zs_create_pool's class loop, zram's page_same_filled), called
/// as the crypto drivers zram uses call them (protocol in harness.c). Every page the oracle compresses it also
/// decompresses with the kernel's decompressor and compares, so what it prints is a valid stream. KernelSource
/// category: see <see cref="KernelSourceBuild"/> for when a test using it is ignored or fails.
/// </summary>
public static class ZramKernelCode
{
    public const int PageSize = 4096;

    /// <summary>The kernel's algorithm names, in the order the oracle prints them.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["lzo-rle", "lz4", "lz4hc", "zstd"];

    private static readonly KernelSourceBuild Built = new("scripts/zram-oracle/build.sh");

    /// <summary>One 4 KiB page: zram's same-filled test, and per algorithm the bytes the kernel's compressor wrote.</summary>
    public sealed record Page(bool Same, ulong Element, IReadOnlyDictionary<string, byte[]> Compressed);

    /// <summary>One blob, zero-padded to whole pages as it goes to /dev/zram0.</summary>
    public sealed record Blob(long Bytes, IReadOnlyList<Page> Pages);

    /// <summary>A zsmalloc size class: the <c>struct size_class</c> a size maps to (after merging).</summary>
    public sealed record SizeClass(int Index, int Size, int PagesPerZspage, int ObjsPerZspage);

    /// <summary>
    /// zs_create_pool's table: <paramref name="HugeClassSize"/> (what zram compares comp_len with), the class of every
    /// index, and the class zs_malloc(size) takes for size 1..4096 (<paramref name="ForMalloc"/>[size - 1]).
    /// </summary>
    public sealed record SizeClasses(int HugeClassSize, IReadOnlyList<SizeClass> ForIndex, IReadOnlyList<SizeClass> ForMalloc);

    public static string OraclePath => Built.Path;

    /// <summary>Every blob through the kernel's compressors, page by page (the last page zero-padded).</summary>
    public static IReadOnlyList<Blob> Compress(IReadOnlyList<byte[]> blobs)
    {
        var dir = Directory.CreateTempSubdirectory("zram-oracle-");
        var keep = true; // a failed run keeps its inputs for inspection (the failure names them)
        try
        {
            var files = new List<string>();
            for (var i = 0; i < blobs.Count; i++)
            {
                var f = Path.Combine(dir.FullName, i.ToString("D5", CultureInfo.InvariantCulture));
                File.WriteAllBytes(f, blobs[i]);
                files.Add(f);
            }

            var result = new List<Blob>();
            List<Page>? pages = null;
            long bytes = 0;
            Dictionary<string, byte[]>? compressed = null;
            var (same, element) = (false, 0UL);
            void EndPage()
            {
                if (compressed is not null)
                {
                    pages!.Add(new Page(same, element, compressed));
                    compressed = null;
                }
            }

            void EndBlob()
            {
                EndPage();
                if (pages is not null)
                {
                    result.Add(new Blob(bytes, pages));
                }
            }

            foreach (var line in Run(["compress", .. files]))
            {
                var p = line.Split(' ');
                switch (p[0])
                {
                    case "F":
                        EndBlob();
                        pages = [];
                        bytes = long.Parse(p[^2], CultureInfo.InvariantCulture);
                        break;
                    case "P":
                        EndPage();
                        int.Parse(p[1], CultureInfo.InvariantCulture).Should().Be(pages!.Count, "the oracle prints pages in order");
                        (same, element) = (p[2] == "1", ulong.Parse(p[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        compressed = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                        break;
                    case "C":
                        var data = Convert.FromHexString(p[4]);
                        data.Length.Should().Be(int.Parse(p[3], CultureInfo.InvariantCulture), line[..Math.Min(40, line.Length)]);
                        compressed![p[1]] = data;
                        break;
                    default:
                        Assert.Fail($"zram oracle: unexpected line '{line[..Math.Min(60, line.Length)]}'");
                        break;
                }
            }

            EndBlob();
            result.Should().HaveCount(blobs.Count);
            keep = false;
            return result;
        }
        finally
        {
            if (!keep)
            {
                dir.Delete(recursive: true);
            }
        }
    }

    /// <summary>mm/zsmalloc.c's size classes as zs_create_pool builds them (amd64: 4 KiB pages, 64-bit handles).</summary>
    public static SizeClasses Classes()
    {
        var huge = -1;
        var forIndex = new List<SizeClass>();
        var forMalloc = new List<SizeClass>();
        foreach (var line in Run(["classes"]))
        {
            var p = line.Split(' ');
            var n = p.Skip(1).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            switch (p[0])
            {
                case "H":
                    huge = n[0];
                    break;
                case "Z":
                    n[0].Should().Be(forIndex.Count);
                    forIndex.Add(new SizeClass(n[2], n[3], n[4], n[5]));
                    break;
                case "S":
                    n[0].Should().Be(forMalloc.Count + 1);
                    forMalloc.Add(new SizeClass(n[1], n[2], n[3], n[4]));
                    break;
                default:
                    Assert.Fail($"zram oracle: unexpected line '{line}'");
                    break;
            }
        }

        return new SizeClasses(huge, forIndex, forMalloc);
    }

    private static List<string> Run(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(OraclePath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (p.StandardOutput.ReadLine() is { } l)
        {
            lines.Add(l);
        }

        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            Assert.Fail($"zram oracle {args[0]} exited {p.ExitCode}: {stderr.Result.Trim()}");
        }

        return lines;
    }
}
