using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// <see cref="ElfBytes.ReleaseResidentPages"/>: a mapped input's pages leave this process's resident set (the
/// mapping's Rss in /proc/self/smaps), and reading them again gives the same bytes. Links do this as they stream
/// (<see cref="InputPageBudget"/>); every differential suite that links mapped files (the CLI tests, the real-module
/// and vmlinux.o relinks against ld.bfd) checks their outputs did not change.
/// </summary>
[TestFixture]
public class ResidentPagesTests
{
    private static long MappingRssKb(string path)
    {
        long rss = 0;
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-'))
            {
                inMapping = line.EndsWith(path, StringComparison.Ordinal);
            }
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
        }

        return rss;
    }

    [Test]
    public void ReleasedPages_LeaveTheResidentSet_AndReadBackUnchanged()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("/proc/self/smaps and madvise are Linux's");
        }

        var dir = Directory.CreateTempSubdirectory("dyndbg-resident-").FullName;
        try
        {
            var path = Path.Combine(dir, "input.bin");
            var data = new byte[4 << 20];
            new Random(7).NextBytes(data);
            File.WriteAllBytes(path, data);
            using var bytes = ElfBytes.Map(path);
            var sum = 0L;
            for (ulong at = 0; at < bytes.Length; at += 4096)
            {
                sum += bytes.Span(at, 1)[0];
            }

            Assert.That(MappingRssKb(path), Is.GreaterThanOrEqualTo(4000), "every page was read, so all are resident");
            bytes.ReleaseResidentPages();
            Assert.That(MappingRssKb(path), Is.LessThan(64), "released pages are no longer resident");
            Assert.That(bytes.Span(0, bytes.Length).SequenceEqual(data), "the bytes read again are the file's");
            File.WriteAllBytes(path, data); // the input was not modified either: the file still opens for writing
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void ReleasedArrays_AreLeftAlone()
    {
        var data = new byte[8192];
        data[5000] = 42;
        using var bytes = ElfBytes.FromArray(data);
        bytes.ReleaseResidentPages();
        Assert.That(bytes.Span(5000, 1)[0], Is.EqualTo(42));
    }
}
