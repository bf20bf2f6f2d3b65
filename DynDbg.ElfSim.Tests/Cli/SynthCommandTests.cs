using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using FluentAssertions;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// <c>synth</c>: what it writes goes through <c>load</c>, <c>check</c> and <c>compress</c> (issue 6's round trip,
/// not timed), the same seed gives the same bytes, and bad usage is exit 2 with one line.
/// </summary>
[TestFixture]
public class SynthCommandTests
{
    private static string Dir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "synth-cli", name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        Directory.CreateDirectory(dir);
        return dir;
    }

    [Test]
    public void VmlinuxOf20kCallsites_RoundTripsThroughLoadCheckAndCompress()
    {
        var dir = Dir("vmlinux-20k");
        var (code, stdout, stderr) = CliRunner.Run("synth", "-o", dir, "--callsites", "20000", "--seed", "4");
        code.Should().Be(0, stderr);
        var path = Path.Combine(dir, "vmlinux.o");
        stdout.Should().Contain($"{path}: 20000 call sites, {new FileInfo(path).Length} bytes (v6.1-64le-jl, built-in)");

        using (var file = ElfFile.Open(path))
        {
            var img = MainlineImage.Load(file);
            img.Records.Should().HaveCount(20000);
            img.Records.Select(r => (r.Modname, r.Filename, r.Function, r.Format, r.LineNo))
                .Should().Equal(new SynthGenerator(4).BuiltIn(20000).SelectMany(u => u.Callsites).Select(c => (c.ModName, c.FileName, c.Function, c.Format, c.LineNo)));

            // The shape the generator promises: Debian's vmlinux repeats 86.8 / 81.9 / 38.6 %.
            var rep = ColumnRepetition.Measure(img.Records).ToDictionary(c => c.Column, c => c.Percent);
            rep["module"].Should().BeApproximately(86.8, 1.5);
            rep["file"].Should().BeApproximately(81.9, 1.5);
            rep["function"].Should().BeApproximately(38.6, 1.5);
        }

        var load = CliRunner.Run("load", path);
        load.Code.Should().Be(0, load.Err);
        load.Out.Should().Contain("Records:   20000 in ");
        var check = CliRunner.Run("check", path);
        check.Code.Should().Be(0, check.Out + check.Err);
        check.Out.Should().Contain("1 passed, 0 failed");
        var compress = CliRunner.Run("compress", "--budget-ms", "0", "--no-zstd", path);
        compress.Code.Should().Be(0, compress.Out + compress.Err);
        compress.Out.Should().Contain("Records:   20000, 8-byte pointers");
    }

    [Test]
    public void ModuleTree_EveryModuleChecksAndTheCountsAddUp()
    {
        var dir = Dir("tree");
        var (code, stdout, stderr) = CliRunner.Run("synth", "-o", dir, "--modules", "12", "--callsites", "700", "--arch", "s390x", "--seed", "9");
        code.Should().Be(0, stderr);
        var root = Path.Combine(dir, "lib", "modules", "synth");
        var kos = Directory.GetFiles(root, "*.ko", SearchOption.AllDirectories);
        kos.Should().HaveCount(12);
        stdout.Should().Contain($"{root}: 12 modules, 700 call sites");
        var total = 0;
        foreach (var ko in kos)
        {
            using var file = ElfFile.Open(ko);
            var img = MainlineImage.Load(file);
            img.Kind.Should().Be(ImageKind.Module);
            img.Decision?.Layout.Name.Should().Be("v6.1-64be-jl");
            img.Records.Select(r => r.Modname).Distinct().Should().BeEquivalentTo(img.Records.Count == 0 ? [] : new[] { Path.GetFileNameWithoutExtension(ko) });
            total += img.Records.Count;
        }

        total.Should().Be(700);
        var check = CliRunner.Run("check", root);
        check.Code.Should().Be(0, check.Out + check.Err);
        check.Out.Should().Contain("checked 12 files: 12 passed");
    }

    [Test]
    public void SameSeedSameTree_ReplacedWhole()
    {
        var a = Dir("seed-a");
        var b = Dir("seed-b");
        CliRunner.Run("synth", "-o", a, "--modules", "5", "--callsites", "300", "--seed", "2").Code.Should().Be(0);
        CliRunner.Run("synth", "-o", b, "--modules", "5", "--callsites", "300", "--seed", "2").Code.Should().Be(0);
        string[] Files(string d) => Directory.GetFiles(Path.Combine(d, "lib", "modules", "synth"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(d, f)).Order(StringComparer.Ordinal).ToArray();
        Files(a).Should().Equal(Files(b));
        foreach (var f in Files(a))
        {
            File.ReadAllBytes(Path.Combine(a, f)).Should().Equal(File.ReadAllBytes(Path.Combine(b, f)), f);
        }

        // A second run with another seed replaces the tree: no module of the first run is left behind.
        CliRunner.Run("synth", "-o", a, "--modules", "3", "--callsites", "100", "--seed", "3").Code.Should().Be(0);
        Files(a).Should().HaveCount(3);
        Directory.GetFileSystemEntries(Path.Combine(a, "lib", "modules")).Select(Path.GetFileName).Should().Equal("synth");
    }

    [TestCase("--arch", "sparc", "unknown --arch 'sparc'")]
    [TestCase("--profile", "v9-64le-jl", "unknown --profile 'v9-64le-jl'")]
    [TestCase("--profile", "v6.1-32le-jl", "--profile v6.1-32le-jl does not fit --arch x86_64")]
    [TestCase("--callsites", "-1", "--callsites must be")]
    [TestCase("--modules", "0", "--modules must be")]
    public void BadUsage_IsExit2WithOneLine(string option, string value, string message)
    {
        var dir = Dir("usage");
        var (code, stdout, stderr) = CliRunner.Run("synth", "-o", dir, option, value);
        code.Should().Be(2);
        stderr.Should().StartWith("dyndbg-elfsim: error USG001: ").And.Contain(message);
        stderr.Trim().Split('\n').Should().ContainSingle();
        stdout.Should().BeEmpty();
        Directory.GetFileSystemEntries(dir).Should().BeEmpty("nothing is written on a usage error");
    }

    [TestCase("--fault", "nonsense", "unknown --fault 'nonsense'")]
    [TestCase("--diet", "v7", "unknown --diet 'v7'")]
    [TestCase("--fault", "site-pointer", "--diet", "v6", "--fault site-pointer does not apply to --diet v6")]
    [TestCase("--fault", "no-script", "--fault no-script is about the module linker script: give --modules")]
    [TestCase("--fault", "index-overflow", "--callsites", "100", "--fault index-overflow needs at least 16385 call sites")]
    [TestCase("--fault", "index-overflow", "--modules", "4", "--callsites", "70000", "needs one image of 16385 call sites")]
    [TestCase("--diet", "v5", "--profile", "v6.1-64le-jl", "--profile names a mainline layout")]
    public void BadDietUsage_IsExit2WithOneLine(params string[] argsThenMessage)
    {
        var dir = Dir("diet-usage");
        var (code, stdout, stderr) = CliRunner.Run(["synth", "-o", dir, .. argsThenMessage[..^1]]);
        code.Should().Be(2);
        stderr.Should().StartWith("dyndbg-elfsim: error USG001: ").And.Contain(argsThenMessage[^1]);
        stdout.Should().BeEmpty();
        Directory.GetFileSystemEntries(dir).Should().BeEmpty("nothing is written on a usage error");
    }

    [Test]
    public void DietTree_IsLinkedPerModuleAndChecksClean()
    {
        var dir = Dir("diet-tree");
        var (code, stdout, stderr) = CliRunner.Run("synth", "-o", dir, "--modules", "4", "--callsites", "120", "--diet", "v5", "--arch", "i386", "--seed", "8");
        code.Should().Be(0, stderr);
        stdout.Should().Contain("4 modules, 120 call sites").And.Contain("(v5-32le-jl)");
        var root = Path.Combine(dir, "lib", "modules", "synth");
        var kos = Directory.GetFiles(root, "*.ko", SearchOption.AllDirectories);
        kos.Should().HaveCount(4);
        Directory.GetFiles(dir, "*.o", SearchOption.AllDirectories).Should().BeEmpty("the per-unit objects are removed after linking");
        var check = CliRunner.Run("check", "--diet", "v5", root);
        check.Code.Should().Be(0, check.Out + check.Err);
        check.Out.Should().Contain("checked 4 files: 4 passed");
    }

    [TestCase("i386")]
    [TestCase("armhf")]
    public void DietVmlinuxOf32BitArch_IsAUsageError_NotAnOverflow(string arch)
    {
        var dir = Dir("diet-vmlinux-32-" + arch);
        var (code, stdout, stderr) = CliRunner.Run("synth", "-o", dir, "--arch", arch, "--diet", "v5", "--callsites", "50");
        code.Should().Be(ExitCodes.BadInput, stderr);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("error USG001: a diet vmlinux.o is linked with the diet vmlinux script").And.Contain("--modules N");
        (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()).Should().BeFalse("nothing is written");
        CliRunner.Run("synth", "-o", dir + "-tree", "--arch", arch, "--diet", "v5", "--callsites", "50", "--modules", "2").Code.Should().Be(ExitCodes.Ok);
    }
}
