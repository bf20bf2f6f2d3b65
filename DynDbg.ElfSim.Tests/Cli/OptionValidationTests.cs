using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Options are checked, not ignored (issue 15): <c>--kernel-config</c> must be a kernel .config, and options that
/// only apply with another one are a usage error without it.
/// </summary>
[TestFixture]
public class OptionValidationTests
{
    private static readonly string Alpha = TestPaths.Sample("x86_64", "alpha.ko");

    private static string Write(string name, string text)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "option-validation");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void KernelConfig_ThatIsNotOne_IsRefusedWithItsLine()
    {
        var readme = Write("README.md", "# Title\n\nSome prose.\n");
        var (code, stdout, stderr) = CliRunner.Run("load", "--sections", "--kernel-config", readme, Alpha);
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().BeEmpty();
        stderr.Should().Be($"{readme}: error {UsageErrorIds.Usage}: line 3: --kernel-config: not a kernel .config line (expected CONFIG_NAME=value, '# CONFIG_NAME is not set' or a comment)\n");

        var comments = Write("comments.config", "# nothing here\n");
        CliRunner.Run("load", "--sections", "--kernel-config", comments, Alpha).Err.Should().Contain("no CONFIG_ line");
    }

    [Test]
    public void KernelConfig_RealShape_IsRead_LastAssignmentWins()
    {
        var config = Write("ok.config", "#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n" +
            "CONFIG_STRICT_MODULE_RWX=y\n# CONFIG_KALLSYMS is not set\nCONFIG_MODULE_UNLOAD=n\nCONFIG_MODULE_UNLOAD=y\n");
        var (code, _, stderr) = CliRunner.Run("load", "--sections", "--kernel-config", config, Alpha);
        stderr.Should().NotContain("USG001");
        code.Should().NotBe(ExitCodes.BadInput);
    }

    [TestCase("--kernel-config", "x.config", "--kernel-config applies to --sections only")]
    [TestCase("--init-base", "0x1000", "--init-base applies to --sections only")]
    [TestCase("--dump", "__dyndbg", "--dump applies to --sections only")]
    [TestCase("--symbols", "System.map", "--symbols applies to --sections only")]
    [TestCase("--base", "0x1000", "--base applies to --sections and to the load of diet images; none of the inputs is one")]
    public void AnOptionWithoutTheOneItNeeds_IsAnError(string option, string value, string expected)
    {
        var (code, stdout, stderr) = CliRunner.Run("load", option, value, Alpha);
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().BeEmpty();
        stderr.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: {expected}\n");
    }

    [Test]
    public void Symbols_ThatAreNotAKallsymsFile_AreRefusedWithTheirLineAndOffset()
    {
        var bad = Write("bad.map", "ffffffff81000000 T _stext\nnot a symbol line\n");
        var (code, stdout, stderr) = CliRunner.Run("load", "--sections", "--symbols", bad, Alpha);
        code.Should().Be(ExitCodes.BadInput);
        stdout.Should().BeEmpty();
        stderr.Should().MatchRegex(@"^\S+bad\.map: error LDR014: line 2, offset 0x1a.*not a kallsyms / System.map line \(ADDRESS TYPE NAME \[MODULE\]\)\n$");

        var zeros = Write("zeros.map", "0000000000000000 T _stext\n0000000000000000 T printk\n");
        CliRunner.Run("load", "--sections", "--symbols", zeros, Alpha).Err.Should().Contain("kptr_restrict");
    }

    [TestCase("--symbols")]
    [TestCase("--kernel-config")]
    public void OptionFile_ThatIsADirectoryOrAFifo_IsOneLine_NotAHang(string option)
    {
        var dir = Path.GetDirectoryName(Write("placeholder", ""))!;
        var fifo = Path.Combine(dir, $"pipe{option}");
        File.Delete(fifo);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            mkfifo.ExitCode.Should().Be(0);
        }

        foreach (var (path, what) in new[] { (dir, "a directory"), (fifo, "a FIFO (named pipe)") })
        {
            var (code, stdout, stderr) = CliRunner.Run("load", "--sections", option, path, Alpha);
            code.Should().Be(ExitCodes.BadInput);
            stdout.Should().BeEmpty();
            stderr.Should().Be($"dyndbg-elfsim: error {UsageErrorIds.Usage}: {option} {path}: is {what}, not an ordinary file\n");
        }
    }
}
