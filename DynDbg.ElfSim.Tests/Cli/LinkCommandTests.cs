using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Linking;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>The <c>link</c> command's contract: a real relocatable ELF and a map, exit codes 0/2, one-line errors,
/// outputs whole or absent, inputs untouched.</summary>
[TestFixture]
public class LinkCommandTests
{
    private static string Work(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "link-cli", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string[] Samples => [TestPaths.Sample("x86_64", "alpha_main.o"), TestPaths.Sample("x86_64", "alpha_util.o")];

    [Test]
    public void WritesAnElfThatReadelfReadsWithoutAWarning_AndThatLdAcceptsAsInput()
    {
        var dir = Work("ok");
        var output = Path.Combine(dir, "alpha.ko");
        var map = Path.Combine(dir, "alpha.map");
        var (code, stdout, stderr) = CliRunner.Run(["link", "-T", "module.lds", "-o", output, "-Map", map, .. Samples]);
        code.Should().Be(ExitCodes.Ok, stderr);
        stdout.Should().BeEmpty();
        using (var f = ElfFile.Open(output))
        {
            f.Header.Type.Should().Be(ElfConstants.EtRel);
            f.FindSection("__dyndbg")!.Size.Should().Be(11 * 56);
        }

        File.ReadAllText(map).Should().Contain("Linker script and memory map").And.Contain($"OUTPUT({output} elf64-x86-64)");
        var (rc, readelfOut, readelfErr) = Tools.Run("readelf", "-a", "-W", output);
        rc.Should().Be(0);
        readelfErr.Should().BeEmpty();
        readelfOut.Should().NotContain("Warning");
        if (Tools.Available("ld.bfd"))
        {
            var (ldRc, _, ldErr) = Tools.Run("ld.bfd", "-r", "-o", Path.Combine(dir, "again.o"), output);
            ldRc.Should().Be(0, ldErr);
        }
    }

    /// <summary>ld demangles the map's symbol names unless --no-demangle; of --demangle and --no-demangle the last
    /// one given wins, as ld reads its options in order.</summary>
    [TestCase(new string[0], "foo(int)")]
    [TestCase(new[] { "--no-demangle" }, "_Z3fooi")]
    [TestCase(new[] { "--demangle" }, "foo(int)")]
    [TestCase(new[] { "--no-demangle", "--demangle" }, "foo(int)")]
    [TestCase(new[] { "--demangle", "--no-demangle" }, "_Z3fooi")]
    public void Demangle_MapNamesAsLd(string[] options, string expected)
    {
        Tools.Require("as");
        var dir = Work("demangle-" + string.Join("", options).Replace("-", ""));
        var source = Path.Combine(dir, "f.s");
        File.WriteAllText(source, ".text\n.globl _Z3fooi\n_Z3fooi:\n ret\n");
        var (asRc, _, asErr) = Tools.Run("as", "-o", Path.Combine(dir, "f.o"), source);
        asRc.Should().Be(0, asErr);
        var map = Path.Combine(dir, "f.map");
        var (code, _, stderr) = CliRunner.Run(["link", "-T", "module.lds", "-o", Path.Combine(dir, "out.o"), "-Map", map, .. options, Path.Combine(dir, "f.o")]);
        code.Should().Be(ExitCodes.Ok, stderr);
        File.ReadAllText(map).Should().Contain($"                0x0000000000000000                {expected}\n");
    }

    [Test]
    public void ScriptSyntaxError_IsExit2_OneLine_NoOutput()
    {
        var dir = Work("syntax");
        var script = Path.Combine(dir, "bad.lds");
        File.WriteAllText(script, "SECTIONS {\n  .text { *(.text) }\n}\n");
        var output = Path.Combine(dir, "out.o");
        var (code, _, err) = CliRunner.Run(["link", "-T", script, "-o", output, .. Samples]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Be($"{script}:2:9: error LNK001: syntax error: expected ':' after the output section name .text, found '{{'\n");
        File.Exists(output).Should().BeFalse();
    }

    [Test]
    public void UnsupportedConstruct_IsNamed()
    {
        var dir = Work("unsupported");
        var script = Path.Combine(dir, "mem.lds");
        File.WriteAllText(script, "MEMORY { ram (rwx) : ORIGIN = 0, LENGTH = 1M }\n");
        var (code, _, err) = CliRunner.Run(["link", "-T", script, "-o", Path.Combine(dir, "o.o"), .. Samples]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith($"{script}:1:1: error LNK002: MEMORY is not supported by this ld -r emulation");
    }

    [Test]
    public void IncompatibleInputs_AreRejected()
    {
        var dir = Work("mixed");
        var (code, _, err) = CliRunner.Run(["link", "-T", "module.lds", "-o", Path.Combine(dir, "o.o"),
            TestPaths.Sample("x86_64", "gamma.o"), TestPaths.Sample("i386", "gamma.o")]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("error LNK011").And.Contain("ELF32 little-endian i386 input is incompatible with ELF64 little-endian x86_64 output");
    }

    [Test]
    public void ALinkedImageIsNotAnInput()
    {
        var dir = Work("exec");
        var (code, _, err) = CliRunner.Run(["link", "-T", "module.lds", "-o", Path.Combine(dir, "o.o"), "/bin/true"]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("error LNK010").And.Contain("ld -r links relocatable objects (ET_REL) only");
    }

    [Test]
    public void MultipleDefinition_IsAnError()
    {
        var dir = Work("multi");
        var a = TestPaths.Sample("x86_64", "delta.o");
        var (code, _, err) = CliRunner.Run(["link", "-T", "module.lds", "-o", Path.Combine(dir, "o.o"), a, a]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("error LNK012").And.Contain("multiple definition of `");
    }

    [Test]
    public void FailedLink_LeavesAnExistingOutputAlone()
    {
        var dir = Work("keep");
        var output = Path.Combine(dir, "keep.o");
        File.WriteAllText(output, "previous");
        var a = TestPaths.Sample("x86_64", "delta.o");
        CliRunner.Run(["link", "-T", "module.lds", "-o", output, a, a]).Code.Should().Be(ExitCodes.BadInput);
        File.ReadAllText(output).Should().Be("previous");
    }

    [Test]
    public void UnwritableOutput_IsOneLine()
    {
        var (code, _, err) = CliRunner.Run(["link", "-T", "module.lds", "-o", "/nonexistent/dir/out.o", .. Samples]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().StartWith("/nonexistent/dir/out.o: error USG002: output: cannot write:");
        err.TrimEnd('\n').Should().NotContain("\n");
    }

    [Test]
    public void MissingScriptOrOutput_IsUsage()
    {
        CliRunner.Run(["link", "-o", "x.o", .. Samples]).Code.Should().Be(ExitCodes.BadInput);
        CliRunner.Run(["link", "-T", "module.lds", .. Samples]).Code.Should().Be(ExitCodes.BadInput);
        var (code, _, err) = CliRunner.Run(["link", "-T", "no-such-script.lds", "-o", "x.o", .. Samples]);
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("not a bundled script");
    }

    [Test]
    public void InputsAreNeverModified()
    {
        var before = Samples.Select(File.ReadAllBytes).ToList();
        var dir = Work("inputs");
        CliRunner.Run(["link", "-T", "module.lds", "-o", Path.Combine(dir, "o.o"), .. Samples]).Code.Should().Be(0);
        Samples.Select(File.ReadAllBytes).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Test]
    public void LldLinkOnceRule_KeepsEveryHeader()
    {
        var dir = Work("lld");
        var inputs = LinkOnceInputs(dir);
        var gnu = Path.Combine(dir, "gnu.o");
        var lld = Path.Combine(dir, "lld.o");
        CliRunner.Run(["link", "-T", "module.lds", "-o", gnu, .. inputs]).Code.Should().Be(0);
        CliRunner.Run(["link", "-T", "module.lds", "--linkonce", "lld", "-o", lld, .. inputs]).Code.Should().Be(0);
        using var g = ElfFile.Open(gnu);
        using var l = ElfFile.Open(lld);
        // Two objects with a 24-byte header each and three 24-byte sites in all: GNU keeps one header, lld both.
        g.FindSection("__dyndbg_sites")!.Size.Should().Be(4 * 24);
        l.FindSection("__dyndbg_sites")!.Size.Should().Be(5 * 24);
        // ld.lld is an optional extra oracle: .ci/run does not install it, so it is not required under CI either.
        if (Tools.Exists("ld.lld"))
        {
            // And ld.lld itself agrees on what it keeps.
            var real = Path.Combine(dir, "real-lld.o");
            Tools.RunIn(dir, "ld.lld", "-r", "-T", Path.Combine(TestPaths.Root, "linker", "module.lds"), "-o", real, inputs[0], inputs[1]).Code.Should().Be(0);
            using var r = ElfFile.Open(real);
            r.FindSection("__dyndbg_sites")!.Size.Should().Be(5 * 24);
        }
    }

    /// <summary>Two objects with the v5 weak header pair each (as the golden dyndbg-v5 sources).</summary>
    internal static string[] LinkOnceInputs(string dir)
    {
        var golden = Path.Combine(TestPaths.Root, "DynDbg.ElfSim.Tests", "Linking", "Golden");
        var objects = new List<string>();
        foreach (var s in new[] { "dyndbg-v5-a.s", "dyndbg-v5-b.s" })
        {
            var obj = Path.Combine(dir, Path.ChangeExtension(s, ".o"));
            var (rc, _, err) = Tools.Run("as", "--64", "-o", obj, Path.Combine(golden, s));
            rc.Should().Be(0, err);
            objects.Add(obj);
        }

        return [.. objects];
    }
}
