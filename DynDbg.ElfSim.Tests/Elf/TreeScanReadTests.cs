using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// How a tree scan gets a file's bytes (<see cref="ElfBytes.TryMapRegular"/>): files up to
/// <see cref="UnixMapping.ReadLimit"/> are read into memory page by page as they are asked for (whole at the first
/// ask up to 64 KiB), larger ones mapped. Every way must give the file's bytes, wherever a range starts and ends.
/// </summary>
[TestFixture]
public class TreeScanReadTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("ddbg-treescan-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase(1)]
    [TestCase(4095)]
    [TestCase(4096)]
    [TestCase(40_000)] // read whole at the first ask
    [TestCase(65_537)] // just past that: page by page
    [TestCase(200_001)]
    [TestCase(262_144)] // UnixMapping.ReadLimit: the last size read, with all 64 pages
    [TestCase(262_145)] // mapped
    [TestCase(1_000_003)]
    public void EveryRange_GivesTheFilesBytes(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var path = Path.Combine(_dir, "f.bin");
        File.WriteAllBytes(path, data);
        using var bytes = ElfBytes.TryMapRegular(path, 1)!;
        bytes.Should().NotBeNull();
        bytes.Length.Should().Be((ulong)size);

        // ranges in an order a scan might take: the tail, the head, one inside, then ranges across page boundaries
        var random = new Random(7);
        var ranges = new List<(int Offset, int Length)> { (size - Math.Min(size, 100), Math.Min(size, 100)), (0, Math.Min(size, 64)) };
        for (var i = 0; i < 40; i++)
        {
            var off = random.Next(size);
            ranges.Add((off, random.Next(Math.Min(size - off, 9000) + 1)));
        }

        foreach (var (offset, length) in ranges)
        {
            bytes.Span((ulong)offset, (ulong)length).SequenceEqual(data.AsSpan(offset, length)).Should().BeTrue($"range 0x{offset:x}+0x{length:x} of {size}");
        }

        bytes.Span(0, (ulong)size).SequenceEqual(data).Should().BeTrue();
    }

    [Test]
    public void AFileThatShrinks_BeforeItsPagesAreRead_IsAnUnreadableFileError_NotOldOrZeroBytes()
    {
        var path = Path.Combine(_dir, "shrinks.bin");
        File.WriteAllBytes(path, new byte[200_000]);
        using var bytes = ElfBytes.TryMapRegular(path, 1)!;
        _ = bytes.Span(0, 16).ToArray(); // page 0 read
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            f.SetLength(10_000);
        }

        var act = () => bytes.Span(150_000, 16).ToArray();
        act.Should().Throw<ElfFormatException>().Where(e => e.Id == ErrorIds.UnreadableFile && e.Offset == 0x24000 && !e.OneLine.Contains('\n'))
            .WithMessage("*shorter or unreadable*");
    }

    [Test]
    public void ADisposedFile_IsNotRead()
    {
        var path = Path.Combine(_dir, "d.bin");
        File.WriteAllBytes(path, new byte[100_000]);
        var bytes = ElfBytes.TryMapRegular(path, 1)!;
        bytes.Dispose();
        var act = () => bytes.Span(90_000, 8).ToArray();
        act.Should().Throw<ObjectDisposedException>();
    }

    [Test]
    public void SectionNames_AreOneStringPerName_AndNonAsciiNamesDecodeAsBefore()
    {
        var a = NameCache.Get(".rela__dyndbg"u8);
        var b = NameCache.Get(Encoding.ASCII.GetBytes(".rela__dyndbg"));
        a.Should().Be(".rela__dyndbg");
        ReferenceEquals(a, b).Should().BeTrue();
        NameCache.Get(".text.ünïcode"u8).Should().Be(".text.ünïcode");
        NameCache.Get([0x2e, 0xff, 0x41]).Should().Be(Encoding.UTF8.GetString([0x2e, 0xff, 0x41]));
        var longName = new string('x', 200);
        NameCache.Get(Encoding.ASCII.GetBytes(longName)).Should().Be(longName);
        NameCache.Get(""u8).Should().Be("");
    }
}
