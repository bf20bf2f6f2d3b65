using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>
/// DietObjectWriter on its own: the object's shape next to the compiled sample's (readelf-level), and every
/// <see cref="DietWriteOptions"/> fault, linked with linker/module.lds, giving exactly the check it is meant to.
/// </summary>
[TestFixture]
public class DietObjectWriterTests
{
    private static IReadOnlyList<CompilationUnit> AlphaUnits(string arch)
    {
        using var f = ElfFile.Open(TestPaths.Sample(arch, "alpha.ko"));
        return DietTransform.Units(MainlineImage.Load(f).Records);
    }

    private static DietLayout LayoutFor(ObjectTarget t, DietVariant v) => DietLayout.Create(v, t.PointerSize, t.BigEndian, jumpLabel: true);

    /// <summary>Writes alpha's two units (options per unit), links them with the engine, checks the image.</summary>
    private static List<string> FindingsWith(string arch, DietVariant variant, Func<int, DietWriteOptions> options, string tag)
    {
        var target = ObjectTarget.ForArch(arch)!;
        var layout = LayoutFor(target, variant);
        var dir = DietTransformTests.Dir("faults", arch, tag);
        var units = AlphaUnits(arch);
        var paths = units.Select((u, i) =>
        {
            var p = Path.Combine(dir, $"{i:D3}-{u.SourceName}.o");
            DietObjectWriter.Write(p, u, target, layout, options(i));
            return p;
        }).ToList();
        var linked = Path.Combine(dir, "alpha.ko");
        Linker.LinkToFile(paths, DietTransform.ScriptFor(variant, module: true), linked);
        using var lf = ElfFile.Open(linked);
        var img = DietImage.Load(lf, variant)!;
        var hazards = DietTransformTests.ExpectedHazards(img.Layout);
        return DietChecks.Run(img).Select(x => x.Id).Where(id => !hazards.Contains(id)).Order().ToList();
    }

    private static IEnumerable<TestCaseData> Faults()
    {
        var cases = new (string Name, Func<int, DietWriteOptions> Options, string[] Expected)[]
        {
            ("none", _ => DietWriteOptions.Default, []),
            ("no-header", _ => new DietWriteOptions { NoHeaderPair = true }, [CheckIds.HeaderNotFirst]),
            // Outside .gnu.linkonce both units keep their header, and the second one's WEAK _LINKONCE_* references
            // resolve to the first unit's definitions, so its header's site pointer is not its parallel site (§8.6).
            ("header-after-records", _ => new DietWriteOptions { HeaderPlacement = DietHeaderPlacement.AfterRecords }, [CheckIds.HeaderNotFirst, CheckIds.SitePointer]),
            ("header-before-records", _ => new DietWriteOptions { HeaderPlacement = DietHeaderPlacement.BeforeRecords }, [CheckIds.ExtraHeader, CheckIds.SitePointer]),
            ("header-after-records-unit1", i => i == 1 ? new DietWriteOptions { HeaderPlacement = DietHeaderPlacement.AfterRecords } : DietWriteOptions.Default,
                [CheckIds.ExtraHeader, CheckIds.SitePointer]),
            ("header-lineno", i => i == 0 ? new DietWriteOptions { HeaderLineNo = 7 } : DietWriteOptions.Default, [CheckIds.HeaderLineno]),
            ("header-format", i => i == 0 ? new DietWriteOptions { HeaderFormatDiffers = true } : DietWriteOptions.Default, [CheckIds.HeaderFormat]),
            ("site-function", i => i == 0 ? new DietWriteOptions { SiteFunctionDiffers = true } : DietWriteOptions.Default, [CheckIds.HeaderFunction]),
            // The loopback is how a header is recognised at all: without it there is no header pair (§8.10, §6.8).
            ("loopback", i => i == 0 ? new DietWriteOptions { BrokenLoopback = true } : DietWriteOptions.Default, [CheckIds.HeaderNotFirst]),
            ("header-site", i => i == 0 ? new DietWriteOptions { HeaderSiteToSecond = true } : DietWriteOptions.Default, [CheckIds.HeaderSite]),
            ("misdirected", i => i == 0 ? new DietWriteOptions { MisdirectedSite = 2 } : DietWriteOptions.Default, [CheckIds.SitePointer]),
            ("extra-site", i => i == 1 ? new DietWriteOptions { ExtraSite = true } : DietWriteOptions.Default, [CheckIds.CountMismatch, CheckIds.SharedCounter]),
            ("missing-site", i => i == 1 ? new DietWriteOptions { MissingSite = true } : DietWriteOptions.Default, [CheckIds.CountMismatch, CheckIds.SharedCounter]),
            ("desc-padding", i => i == 1 ? new DietWriteOptions { DescriptorPadding = 8 } : DietWriteOptions.Default, [CheckIds.DescriptorSize]),
            ("site-padding", i => i == 1 ? new DietWriteOptions { SitePadding = 8 } : DietWriteOptions.Default, [CheckIds.SiteSize]),
        };
        foreach (var arch in new[] { "x86_64", "i386", "s390x" })
        {
            foreach (var (name, options, expected) in cases)
            {
                yield return new TestCaseData(arch, name, options, expected).SetName($"Fault_{arch}_{name}");
            }
        }
    }

    [TestCaseSource(nameof(Faults))]
    public void EachFault_BreaksExactlyItsInvariant(string arch, string name, Func<int, DietWriteOptions> options, string[] expected)
    {
        FindingsWith(arch, DietVariant.V5, options, name).Should().BeEquivalentTo(expected);
    }

    /// <summary>A unit without call sites is what zeta.c compiles to: only the header pair (a header-only table,
    /// §8.22), no empty __dyndbg sections.</summary>
    [Test]
    public void EmptyUnit_IsHeaderOnly_LikeTheZetaSample()
    {
        var target = ObjectTarget.ForArch("x86_64")!;
        var layout = LayoutFor(target, DietVariant.V5);
        var f = ElfFile.FromBytes("zeta.o", DietObjectWriter.Build(new CompilationUnit("zeta", "zeta.c", []), target, layout).ToArray());
        using var zeta = ElfFile.Open(TestPaths.Sample("x86_64", "diet/v5/zeta.o"));
        string[] names = [DietLayout.SiteHeaderSection, DietLayout.HeaderSection, DietLayout.SiteSection, layout.DescriptorSection];
        names.Select(n => f.FindSection(n)?.Size).Should().Equal(names.Select(n => zeta.FindSection(n)?.Size));
        var dir = DietTransformTests.Dir("empty-unit");
        var obj = Path.Combine(dir, "zeta.o");
        File.WriteAllBytes(obj, DietObjectWriter.Build(new CompilationUnit("zeta", "zeta.c", []), target, layout).ToArray());
        var linked = Path.Combine(dir, "zeta.ko");
        Linker.LinkToFile([obj], "module.lds", linked);
        using var lf = ElfFile.Open(linked);
        var img = DietImage.Load(lf)!;
        img.Elements.Should().HaveCount(1);
        img.SiteRecords.Single().ModnameText.Should().Be("zeta");
        DietChecks.Run(img).Should().BeEmpty();
    }

    [Test]
    public void V6_HeaderSiteAlwaysSet_V5NoSite_HeaderSiteNull()
    {
        var target = ObjectTarget.ForArch("x86_64")!;
        var unit = AlphaUnits("x86_64")[0];
        foreach (var (variant, relocs) in new[] { (DietVariant.V6, 2), (DietVariant.V5NoSite, 1) })
        {
            var f = ElfFile.FromBytes("unit.o", DietObjectWriter.Build(unit, target, LayoutFor(target, variant)).ToArray());
            var hdr = f.FindSection(DietLayout.HeaderSection)!;
            var rel = f.GetRelocations(f.RelocationSectionsFor(hdr).Single());
            rel.Count.Should().Be(relocs, DietLayout.VariantName(variant));
        }
    }

    /// <summary>The writer's object next to clang's for the same source (alpha_main.c): same sections with the same
    /// types, flags and alignment, same symbols (names, sizes, bindings), same relocation count per section, same
    /// strings. Code (.text) is not part of the transform.</summary>
    [TestCase("x86_64", "v5")]
    [TestCase("x86_64", "v5-nosite")]
    [TestCase("x86_64", "v6")]
    [TestCase("i386", "v5")]
    [TestCase("s390x", "v6")]
    public void Object_HasTheCompiledSamplesShape(string arch, string variant)
    {
        var target = ObjectTarget.ForArch(arch)!;
        var v = DietLayout.ParseVariant(variant)!.Value;
        var ours = ElfFile.FromBytes("ours.o", DietObjectWriter.Build(AlphaUnits(arch)[0], target, LayoutFor(target, v)).ToArray());
        using var theirs = ElfFile.Open(TestPaths.Sample(arch, $"diet/{variant}/alpha_main.o"));
        string[] names = [DietLayout.SiteHeaderSection, DietLayout.HeaderSection, DietLayout.SiteSection, LayoutFor(target, v).DescriptorSection];
        foreach (var n in names)
        {
            var (a, b) = (ours.FindSection(n)!, theirs.FindSection(n)!);
            (a.Type, a.Flags, a.Size, a.AddrAlign).Should().Be((b.Type, b.Flags, b.Size, b.AddrAlign), n);
            var ra = ours.RelocationSectionsFor(a).Sum(r => ours.GetRelocations(r).Count);
            var rb = theirs.RelocationSectionsFor(b).Sum(r => theirs.GetRelocations(r).Count);
            ra.Should().Be(rb, $"relocations of {n}");
            if (!target.Rela)
            {
                ours.GetContents(a).ToArray().Should().Equal(theirs.GetContents(b).ToArray(), $"{n}: REL addends in place");
            }
        }

        static List<(string, ulong, byte)> Objects(ElfFile f)
        {
            var t = f.SymbolTable!;
            return [.. Enumerable.Range(0, t.Count).Where(i => t[i].Type == ElfConstants.SttObject && !t.GetName(i).StartsWith(".L", StringComparison.Ordinal)).Select(i => (t.GetName(i), t[i].Size, t[i].Binding)).Order()];
        }

        Objects(ours).Should().Equal(Objects(theirs));
    }
}
