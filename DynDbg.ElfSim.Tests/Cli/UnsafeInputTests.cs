using System.Diagnostics;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Inputs are never lost and never hang a read (issue 15): a FIFO, a device or a directory is refused at once with
/// what it is (readelf: "is not an ordinary file"), and <c>link</c> refuses an output or map that is one of its
/// inputs, through a hard link too (ld.bfd: "input file 'a.o' is the same as output file"), writing nothing.
/// </summary>
[TestFixture]
public class UnsafeInputTests
{
    private static string Work(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "unsafe-inputs", name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        return dir;
    }

    [Test]
    public void LoadOfAFifo_IsRefusedAtOnce_NotAHang()
    {
        var fifo = Path.Combine(Work("fifo"), "pipe.ko");
        Process.Start("mkfifo", fifo).WaitForExit();
        var watch = Stopwatch.StartNew();
        var (code, stdout, stderr) = CliRunner.Run("load", fifo);
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().BeEmpty();
        stderr.Should().Be($"{fifo}: error {ErrorIds.UnreadableFile}: file: is a FIFO (named pipe), not an ordinary file\n");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the open must not wait for a writer");
    }

    [Test]
    public void CheckOfATree_ChecksItsElfFilesOnly_AndPassesOverFifosAndShortFiles()
    {
        // a tree walk maps each file once (ElfFile.OpenIfElf): what is not an ordinary ELF file is passed over there
        var dir = Work("tree");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.Copy(TestPaths.Sample("x86_64", "alpha.ko"), Path.Combine(dir, "alpha.ko"));
        File.Copy(TestPaths.Sample("x86_64", "beta.ko"), Path.Combine(dir, "sub", "beta.ko"));
        Process.Start("mkfifo", Path.Combine(dir, "sub", "pipe.ko")).WaitForExit();
        File.WriteAllBytes(Path.Combine(dir, "empty.ko"), []);
        File.WriteAllBytes(Path.Combine(dir, "short.ko"), [0x7f, (byte)'E', (byte)'L']);
        File.WriteAllText(Path.Combine(dir, "modules.dep"), "kernel/alpha.ko:\n");
        var watch = Stopwatch.StartNew();
        var (code, stdout, stderr) = CliRunner.Run("check", dir);
        (code, stderr).Should().Be((0, ""));
        stdout.Should().Contain("checked 2 files: 2 passed, 0 failed, 0 unreadable");
        stdout.Should().Contain("alpha.ko").And.Contain("beta.ko").And.NotContain("pipe.ko").And.NotContain("short.ko").And.NotContain("modules.dep");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the FIFO's open must not wait for a writer");
    }

    [TestCase("compress")]
    [TestCase("zram")]
    public void CompressAndZramOfATree_ReadItsElfFilesOnly(string command)
    {
        // the walk opens nothing; each walked file is told ELF or not from the one mapping its read uses
        var dir = Work("tree-" + command);
        File.Copy(TestPaths.Sample("x86_64", "alpha.ko"), Path.Combine(dir, "alpha.ko"));
        Process.Start("mkfifo", Path.Combine(dir, "pipe.ko")).WaitForExit();
        File.WriteAllBytes(Path.Combine(dir, "short.ko"), [0x7f, (byte)'E', (byte)'L']);
        File.WriteAllText(Path.Combine(dir, "modules.dep"), "kernel/alpha.ko:\n");
        var watch = Stopwatch.StartNew();
        var (code, stdout, stderr) = CliRunner.Run(command, dir, "--format", "json");
        (code, stderr).Should().Be((0, ""));
        stdout.Should().Contain("alpha.ko").And.NotContain("pipe.ko").And.NotContain("short.ko").And.NotContain("modules.dep");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the FIFO's open must not wait for a writer");

        File.Delete(Path.Combine(dir, "alpha.ko"));
        (code, stdout, stderr) = CliRunner.Run(command, dir);
        (code, stdout).Should().Be((ExitCodes.BadInput, ""));
        stderr.Should().EndWith("no ELF files found in the given directories\n");
    }

    [TestCase("load")]
    [TestCase("check")] // check prints it as the file's result line
    public void ADirectoryOrDevice_IsCalledWhatItIs(string command)
    {
        var (code, stdout, stderr) = CliRunner.Run(command, "/dev/null");
        code.Should().Be(ExitCodes.BadInput);
        (stdout + stderr).Should().Contain($"/dev/null: error {ErrorIds.UnreadableFile}: file: is a character device, not an ordinary file");
        if (command == "load")
        {
            var dir = Work("dir");
            CliRunner.Run("load", dir).Err.Should().Be($"{dir}: error {ErrorIds.UnreadableFile}: file: is a directory, not an ordinary file\n");
        }
    }

    [Test]
    public void LinkOutputThatIsAnInput_IsRefused_AndTheInputIsUntouched()
    {
        var dir = Work("link");
        var a = Path.Combine(dir, "a.o");
        var b = Path.Combine(dir, "b.o");
        File.Copy(TestPaths.Sample("x86_64", "alpha_main.o"), a);
        File.Copy(TestPaths.Sample("x86_64", "alpha_util.o"), b);
        var before = File.ReadAllBytes(a);

        var (code, _, stderr) = CliRunner.Run("link", "-T", "module.lds", "-o", a, a, b);
        code.Should().Be(ExitCodes.BadInput);
        stderr.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: input file '{a}' is the same as output file '{a}'; nothing was written\n");

        // Same inode under another name.
        var hard = Path.Combine(dir, "hard.o");
        Process.Start("ln", [a, hard]).WaitForExit();
        CliRunner.Run("link", "-T", "module.lds", "-o", hard, a, b).Code.Should().Be(ExitCodes.BadInput);

        // A map over an input, and a map over the output.
        var output = Path.Combine(dir, "out.ko");
        CliRunner.Run("link", "-T", "module.lds", "-o", output, "-Map", b, a, b).Err
            .Should().Contain($"input file '{b}' is the same as map file '{b}'");
        CliRunner.Run("link", "-T", "module.lds", "-o", output, "-Map", output, a, b).Err
            .Should().Contain("is the output file too");

        File.ReadAllBytes(a).Should().Equal(before);
        File.Exists(output).Should().BeFalse("nothing is written when the command is refused");
    }

    [Test]
    public void AnEmptyFileName_IsOneLine_NotAnInternalError()
    {
        var (code, _, stderr) = CliRunner.Run("load", "");
        code.Should().Be(ExitCodes.BadInput);
        stderr.Should().Be($": error {ErrorIds.UnreadableFile}: file: empty file name\n");
    }

    [Test]
    public void AnOutputThatCannotBeWritten_IsNamedAsGiven_AndLeavesNothing()
    {
        var dir = Work("unwritable");
        var output = Path.Combine(dir, "ok.ko");
        var inputs = new[] { TestPaths.Sample("x86_64", "alpha_main.o"), TestPaths.Sample("x86_64", "alpha_util.o") };
        var missing = Path.Combine(dir, "no-such-dir", "x.map");

        var (code, _, stderr) = CliRunner.Run(["link", "-T", "module.lds", "-o", output, "-Map", missing, .. inputs]);
        code.Should().Be(ExitCodes.BadInput);
        stderr.Should().Be($"{missing}: error {UsageErrorIds.CannotWriteOutput}: output: cannot write: directory '{Path.GetDirectoryName(missing)}' does not exist\n",
            "the map is named, not the -o file, and no temporary name shows");
        File.Exists(output).Should().BeFalse("a map that cannot be written leaves no object either");

        CliRunner.Run(["link", "-T", "module.lds", "-o", dir, .. inputs]).Err
            .Should().Be($"{dir}: error {UsageErrorIds.CannotWriteOutput}: output: cannot write: it is a directory\n");
        Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(dir, ".*")).Should().BeEmpty();
    }
}
