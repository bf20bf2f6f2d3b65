using System.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// The built-in callsite array of Debian's unstripped vmlinux: amd64's from the -dbg package (the required case),
/// and ppc64el's, which its image package ships (when fetch-real.sh reports it). Bounds come from
/// <c>__start___dyndbg</c>/<c>__stop___dyndbg</c>, the layout from BTF where the kernel has it (amd64; ppc64el is
/// built without CONFIG_DEBUG_INFO_BTF, so the other evidence must decide), one table per modname run.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public sealed class RealVmlinuxTests
{
    [TestCase("amd64")]
    [TestCase("ppc64el")]
    public void Builtin_dyndbg_table_of_vmlinux_decodes(string archName)
    {
        var path = RealInputs.Vmlinux(archName);
        var arch = RealInputs.Arch(archName);

        // Bounds as readelf prints them, independently of the library's symbol reader.
        var symbols = ReadelfOracle.Symbols(path);
        var start = symbols.Single(s => s.Name == "__start___dyndbg").Value;
        var stop = symbols.Single(s => s.Name == "__stop___dyndbg").Value;
        stop.Should().BeGreaterThan(start, "vmlinux has built-in pr_debug callsites");

        using var f = ElfFile.Open(path);
        var sw = Stopwatch.StartNew();
        var img = MainlineImage.Load(f);
        sw.Stop();

        // Figures first, so a failing run still shows them.
        var tables = img.Tables;
        var distinct = tables.Select(t => t.ModName).Distinct(StringComparer.Ordinal).Count();
        var top = tables.OrderByDescending(t => t.Count).ThenBy(t => t.First).Take(5).Select(t => $"{t.ModName} {t.Count}");
        TestContext.Progress.WriteLine(
            $"Real vmlinux [{archName}] {arch.Abi}: {img.Records.Count} records of {img.Decision?.Layout.RecordSize} bytes, {tables.Count} tables " +
            $"({distinct} distinct names), Load {sw.ElapsedMilliseconds} ms; evidence: {string.Join(" / ", img.Decision?.Evidence ?? [])}; top 5 tables: {string.Join(", ", top)}");

        img.Kind.Should().Be(ImageKind.BuiltIn);
        img.Region.Should().NotBeNull();
        img.Decision.Should().NotBeNull();
        var region = img.Region!;
        var layout = img.Decision!.Layout;
        region.Origin.Should().Contain("__start___dyndbg");
        (region.Address, region.Size).Should().Be((start, stop - start), "the region is __start___dyndbg..__stop___dyndbg");
        layout.RecordSize.Should().Be(arch.ExpectedRecordSize, "boot/config says CONFIG_JUMP_LABEL={0}", arch.JumpLabel ? "y" : "n");
        ((stop - start) % (ulong)layout.RecordSize).Should().Be(0UL);
        img.Records.Should().HaveCount((int)((stop - start) / (ulong)layout.RecordSize));

        var hasBtf = arch.KernelConfig.GetValueOrDefault("CONFIG_DEBUG_INFO_BTF") == "y";
        if (archName == "amd64")
        {
            hasBtf.Should().BeTrue("Debian's amd64 kernel is built with CONFIG_DEBUG_INFO_BTF=y");
        }

        if (hasBtf)
        {
            img.Decision.Evidence.Should().Contain(e => e.StartsWith("BTF", StringComparison.Ordinal),
                "vmlinux carries BTF, the strongest evidence for the struct layout");
        }

        var emptyStrings = img.Records
            .Where(r => r.Modname.Length == 0 || r.Function.Length == 0 || r.Filename.Length == 0 || r.Format.Length == 0)
            .Select(r => $"{r.Index}: [{r.Modname}] {r.Function} {r.Filename}:{r.LineNo} \"{r.Format}\"").ToArray();
        emptyStrings.Should().BeEmpty("every built-in callsite has a module, function, file and format");
        img.Records.Where(r => r.LineNo == 0).Select(r => r.Index).Should().BeEmpty("__LINE__ is never 0");

        // Built-in slices: contiguous, covering all records, named by their first record's modname.
        tables.Count.Should().BeGreaterThan(100, "many built-in subsystems have pr_debug callsites");
        tables.Select(t => t.First).Should().Equal(tables.Select((t, i) => i == 0 ? 0 : tables[i - 1].First + tables[i - 1].Count));
        tables.Sum(t => t.Count).Should().Be(img.Records.Count);
        tables.Should().OnlyContain(t => t.Count > 0 && img.Records[t.First].Modname == t.ModName);

        // The linker keeps each object's callsites together, so a modname rarely starts a second run.
        ((double)distinct / tables.Count).Should().BeGreaterThanOrEqualTo(0.95,
            "{0} of {1} table names are distinct", distinct, tables.Count);
    }
}
