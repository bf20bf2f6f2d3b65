using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Cli;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Loading;

/// <summary>The loader's refusals and flag rules (reference §2), on samples and on hand-patched copies of them.</summary>
[TestFixture]
public class ModuleLoaderTests
{
    [Test]
    public void ObjectWithoutThisModule_IsRefusedLikeTheKernel()
    {
        // The samples are ld -r links of compiled files without a .mod.o, as a module before modpost.
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "alpha.ko"));
        var act = () => ModuleLoader.Layout(f);
        var r = act.Should().Throw<LoaderRefusal>().Which;
        r.Id.Should().Be(ModuleLoader.NoModule);
        r.Errno.Should().Be("-ENOEXEC");
        r.Message.Should().Be("(missing .modinfo section or name field): No module found in object");
    }

    [Test]
    public void Refusal_IsExit1_OneLine()
    {
        var (code, output, err) = CliRunner.Run("load", "--sections", TestPaths.Sample("i386", "beta.ko"));
        code.Should().Be(ExitCodes.CheckFailed);
        output.Should().BeEmpty();
        err.Should().EndWith("error LDR002: load_module would fail with -ENOEXEC: (missing .modinfo section or name field): No module found in object\n");
    }

    [Test]
    public void StrippedObject_HasNoSymbols()
    {
        var d = ElfBytesPatch.Read("x86_64", "alpha.ko");
        var symtab = ElfBytesPatch.Describe(d).Sections.First(s => s.Type == ElfConstants.ShtSymtab);
        ElfBytesPatch.Put(d, (long)symtab.HeaderOffset + 4, ElfConstants.ShtProgbits, 4, false);
        using var f = ElfFile.FromBytes("stripped.ko", d);
        var act = () => ModuleLoader.Layout(f);
        act.Should().Throw<LoaderRefusal>().Which.Id.Should().Be(ModuleLoader.NoSymbols);
    }

    [Test]
    public void BadBase_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("load", "--sections", "--base", "zz", TestPaths.Sample("x86_64", "alpha.ko"));
        code.Should().Be(ExitCodes.BadInput);
        err.Should().Contain("USG001");
    }
}
