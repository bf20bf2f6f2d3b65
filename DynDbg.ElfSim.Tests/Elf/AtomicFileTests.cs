using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>Outputs go into place whole or not at all, and an existing output is moved aside rather than renamed
/// over (<see cref="AtomicFile.Commit"/> says why): when the commit returns or fails, the path holds the new file or
/// the old one, never part of one, and no hidden file is left beside it.</summary>
[TestFixture]
public class AtomicFileTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("atomic-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string[] Hidden() => Directory.GetFiles(_dir, ".*");

    [Test]
    public void ReplacesAnExistingFile_AndLeavesNothingBeside()
    {
        var path = Path.Combine(_dir, "out.o");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, s => s.Write("new"u8));
        File.ReadAllText(path).Should().Be("new");
        Hidden().Should().BeEmpty();
    }

    [Test]
    public void WritesANewFile()
    {
        var path = Path.Combine(_dir, "fresh.o");
        AtomicFile.Write(path, s => s.Write("new"u8));
        File.ReadAllText(path).Should().Be("new");
        Hidden().Should().BeEmpty();
    }

    [Test]
    public void TheOldFileIsNeverWrittenInPlace()
    {
        // A second name for the old output keeps the old bytes: the new output is another file.
        var path = Path.Combine(_dir, "out.o");
        var other = Path.Combine(_dir, "other-name.o");
        File.WriteAllText(path, "old");
        Link(path, other);
        AtomicFile.Write(path, s => s.Write("new"u8));
        File.ReadAllText(path).Should().Be("new");
        File.ReadAllText(other).Should().Be("old");
    }

    [Test]
    public void ASymbolicLinkAtThePath_IsReplaced_AndItsTargetKept()
    {
        var target = Path.Combine(_dir, "target.o");
        var path = Path.Combine(_dir, "link.o");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(path, target);
        AtomicFile.Write(path, s => s.Write("new"u8));
        new FileInfo(path).LinkTarget.Should().BeNull();
        File.ReadAllText(path).Should().Be("new");
        File.ReadAllText(target).Should().Be("old");
        Hidden().Should().BeEmpty();
    }

    [Test]
    public void ARenameThatFails_PutsTheOldFileBack()
    {
        var path = Path.Combine(_dir, "out.o");
        File.WriteAllText(path, "old");
        var staged = AtomicFile.Stage(path, s => s.Write("new"u8));
        File.Delete(staged.Temp); // the second rename now fails, after the old file was moved aside
        var act = () => AtomicFile.Commit(staged);
        act.Should().Throw<UsageException>().Which.Id.Should().Be(UsageErrorIds.CannotWriteOutput);
        File.ReadAllText(path).Should().Be("old");
        Hidden().Should().BeEmpty();
    }

    [Test]
    public void AnOldFileThatCannotBeMovedAside_IsRenamedOver()
    {
        // The hidden aside name is four characters longer than the temporary one: at the name length limit only the
        // temporary fits, and the commit falls back to renaming over the old file.
        var name = new string('n', 255 - $"..{Environment.ProcessId}.tmp".Length);
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, s => s.Write("new"u8));
        File.ReadAllText(path).Should().Be("new");
        Hidden().Should().BeEmpty();
    }

    [Test]
    public void AWriterThatThrowsAnything_LeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "out.o");
        File.WriteAllText(path, "old");
        var act = () => AtomicFile.Write(path, _ => throw new InvalidOperationException("bug"));
        act.Should().Throw<InvalidOperationException>();
        File.ReadAllText(path).Should().Be("old");
        Hidden().Should().BeEmpty();
    }

    private static void Link(string existing, string name)
    {
        var (code, _, stderr) = Tools.Run("ln", existing, name);
        code.Should().Be(0, stderr);
    }
}
