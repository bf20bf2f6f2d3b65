using System.Text.RegularExpressions;
using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The zstd stores' figures against the zstd command line on the same bytes (<c>compress --dump</c> writes them):
/// one frame (<c>zstd -19 --no-check</c>), blocks (<c>zstd -b19 -B#</c>), the trained dictionary (<c>zstd --train
/// -B# --maxdict=#</c>, byte for byte) and per-record frames with that dictionary. The command line's frames carry
/// the 4-byte magic number the stores do not keep. The stores run on the system's libzstd, the library the command
/// line links.
/// </summary>
[TestFixture]
public class ZstdCliCrossCheckTests
{
    [OneTimeSetUp]
    public void RequireBoth()
    {
        if (!ZstdLibrary.IsAvailable)
        {
            Tools.Missing($"libzstd is not available ({ZstdLibrary.Problem}) (Debian: apt-get install libzstd1)");
        }

        ZstdCli.Require();
    }

    [Test]
    public void KernelLikeTable_MatchesTheCommandLine() => CrossCheck(SyntheticSites.KernelLike(3000, seed: 21), 19, 64);

    /// <summary>Shared with the real-kernel test.</summary>
    public static void CrossCheck(SiteTable table, int level, int blockRecords)
    {
        var zstd = ZstdImplementations.System;
        var dir = Directory.CreateTempSubdirectory("dyndbg-zstd-").FullName;
        try
        {
            var sites = Path.Combine(dir, "t.sites");
            File.WriteAllBytes(sites, table.ToBytes());

            using (var whole = new ZstdSiteStore(table, level, zstd))
            {
                var cli = ZstdCli.Check($"-{level}", "--no-check", "-q", "-f", sites, "-o", sites + ".zst");
                new FileInfo(sites + ".zst").Length.Should().Be(whole.Size.Data + 4, cli);
            }

            using (var blocks = new ZstdBlockSiteStore(table, level, blockRecords, zstd))
            {
                // -i0: one pass; the default evaluates for 3 s each way, and only the size is compared.
                var bench = ZstdCli.Check($"-b{level}", "-i0", $"-B{blockRecords * table.SiteSize}", sites);
                BenchSize(bench).Should().Be(blocks.Size.Data + (4 * BlockCount(table, blockRecords)), bench);
            }

            using var dict = new ZstdDictSiteStore(table, level, zstd: zstd);
            dict.Dictionary.Should().NotBeNull(dict.TrainingError);
            var cliDict = Path.Combine(dir, "cli.dict");
            ZstdCli.Check("--train", $"-B{table.SiteSize}", $"--maxdict={dict.Capacity}", "-q", sites, "-o", cliDict);
            File.ReadAllBytes(cliDict).Should().Equal(dict.Dictionary!.Bytes, "ZDICT_trainFromBuffer and zstd --train agree on the same samples");

            // Per-record frames with that dictionary: one file per record, no checksum, no dictionary ID.
            var records = Path.Combine(dir, "r");
            Directory.CreateDirectory(records);
            var bytes = table.ToBytes();
            var names = new List<string>();
            for (var i = 0; i < table.Count; i++)
            {
                var name = Path.Combine(records, $"{i:D6}");
                File.WriteAllBytes(name, bytes.AsSpan(i * table.SiteSize, table.SiteSize).ToArray());
                names.Add(name);
            }

            ZstdCli.Check([$"-{level}", "--no-check", "--no-dictID", "-q", "-D", cliDict, .. names]);
            var cliTotal = names.Sum(f => new FileInfo(f + ".zst").Length);
            cliTotal.Should().Be(dict.Size.Data + (4L * table.Count));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int BlockCount(SiteTable t, int blockRecords) => (t.Count + blockRecords - 1) / blockRecords;

    /// <summary>The size after "->" in <c>zstd -b</c>'s last result line.</summary>
    private static long BenchSize(string output)
    {
        var matches = Regex.Matches(output, @":\s+\d+ ->\s+(\d+) \(");
        matches.Should().NotBeEmpty(output);
        return long.Parse(matches[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
