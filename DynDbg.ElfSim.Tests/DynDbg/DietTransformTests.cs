using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>
/// The diet transform on the mainline samples of every architecture: the objects it writes link (engine) into an
/// image whose element 0 is the header pair and whose elements 1.. are the input's call sites in order, that keeps
/// every invariant its profile keeps (reference §8.1–8.11) and shows only the profile's hazards (§7.1, §7.2).
/// </summary>
[TestFixture]
public class DietTransformTests
{
    private static readonly DietVariant[] Variants = [DietVariant.V5, DietVariant.V5NoSite, DietVariant.V6];

    internal static string Dir(params string[] parts)
    {
        var d = Path.Combine([TestContext.CurrentContext.WorkDirectory, "diet-transform", .. parts]);
        if (Directory.Exists(d))
        {
            Directory.Delete(d, true);
        }

        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Transforms <paramref name="input"/> into <paramref name="dir"/> and links the objects with the engine.</summary>
    internal static (DietTransformResult Result, string Linked) TransformAndLink(string input, DietVariant variant, string dir)
    {
        DietTransformResult r;
        using (var f = ElfFile.Open(input))
        {
            r = DietTransform.Run(f, dir, variant);
        }

        var linked = Path.Combine(dir, r.LinkedName);
        DietTransform.Link(r, linked);
        return (r, linked);
    }

    /// <summary>The hazards a profile has by its layout alone (§7.1: record unit0 over the header's format; §7.2:
    /// union size ≠ record size).</summary>
    internal static List<string> ExpectedHazards(DietLayout l)
    {
        var expected = new List<string>();
        if (l.Unit0Offset < l.HeaderFormatOffset + l.PointerSize && l.Unit0Offset + 4 > l.HeaderFormatOffset)
        {
            expected.Add(CheckIds.IndexOverlapsFormat);
        }

        if (l.HeaderSize != l.RecordSize)
        {
            expected.Add(CheckIds.UnionSize);
        }

        return expected;
    }

    /// <summary>Decodes the linked image, checks it, and compares its elements 1.. with the input's records.</summary>
    internal static void VerifyLinked(string input, string linked, DietVariant variant)
    {
        List<DdebugRecord> records;
        using (var f = ElfFile.Open(input))
        {
            records = [.. MainlineImage.Load(f).Records];
        }

        using var lf = ElfFile.Open(linked);
        // vmlinux-diet-v6.lds keeps v5's bounds names (__start___dyndbg), and before load v6's _map is 0: nothing in
        // a built-in v6 image tells it from v5-nosite, so there the variant is given, as `check --diet v6` does.
        var ambiguous = variant == DietVariant.V6 && lf.FindSection(DietLayout.SiteSection) is null;
        var img = DietImage.Load(lf, ambiguous ? variant : null)!;
        img.Should().NotBeNull();
        img.Layout.Variant.Should().Be(variant, "the variant is detected from the linked image");
        var findings = DietChecks.Run(img);
        findings.Where(x => x.Severity == CheckSeverity.Error).Select(x => x.OneLine(linked)).Should().BeEmpty();
        var hazards = ExpectedHazards(img.Layout);
        findings.Select(x => x.Id).Should().BeEquivalentTo(hazards);
        img.Header.Should().NotBeNull();
        img.Header!.LineNo.Should().Be(0);
        img.SiteRecords.Should().HaveCount(records.Count + 1);
        img.SiteRecords[0].ModnameText.Should().Be(records[0].Modname);
        img.SiteRecords[0].FunctionText.Should().Be(records[0].Modname);
        if (hazards.Contains(CheckIds.UnionSize))
        {
            // Element 1 starts inside the 24-byte header union: the kernel's view of the array is broken (§7.2).
            lf.FindSection(img.Layout.DescriptorSection)!.Size.Should().Be((ulong)(img.Layout.HeaderSize + (records.Count * img.Layout.RecordSize)));
        }
        else
        {
            img.Elements.Should().HaveCount(records.Count + 1);
            for (var i = 0; i < records.Count; i++)
            {
                var (e, r) = (img.Elements[i + 1], records[i]);
                (e.FormatText, e.LineNo, e.Flags).Should().Be((r.Format, r.LineNo, r.Flags), $"element {i + 1}");
            }
        }

        for (var i = 0; i < records.Count; i++)
        {
            var (s, r) = (img.SiteRecords[i + 1], records[i]);
            (s.ModnameText, s.FilenameText, s.FunctionText).Should().Be((r.Modname, r.Filename, r.Function), $"site {i + 1}");
        }
    }

    private static IEnumerable<TestCaseData> SampleCases() =>
        from arch in TestPaths.Arches
        from file in new[] { "alpha.ko", "beta.ko", "gamma.ko", "vmlinux.o" }
        where File.Exists(TestPaths.Sample(arch, file))
        from v in Variants
        select new TestCaseData(arch, file, v).SetName($"Sample_{arch}_{file}_{DietLayout.VariantName(v)}");

    [TestCaseSource(nameof(SampleCases))]
    public void Sample_TransformsLinksAndKeepsItsInvariants(string arch, string file, DietVariant variant)
    {
        var input = TestPaths.Sample(arch, file);
        var dir = Dir(arch, file, DietLayout.VariantName(variant));
        var (r, linked) = TransformAndLink(input, variant, dir);
        r.Objects.Select(o => o.Name).Should().BeInAscendingOrder(StringComparer.Ordinal);
        r.Objects.Sum(o => o.Descriptors).Should().Be(r.Callsites);
        r.IsModule.Should().Be(file.EndsWith(".ko", StringComparison.Ordinal));
        VerifyLinked(input, linked, variant);
    }

    private static IEnumerable<TestCaseData> GnuLdCases() =>
        from arch in new[] { ("x86_64", ElfMachine.X86_64), ("i386", ElfMachine.I386), ("s390x", ElfMachine.S390) }
        from file in new[] { "alpha.ko", "beta.ko", "gamma.ko", "vmlinux.o" }
        where File.Exists(TestPaths.Sample(arch.Item1, file))
        from v in Variants
        select new TestCaseData(arch.Item1, arch.Item2, file, v).SetName($"GnuLd_{arch.Item1}_{file}_{DietLayout.VariantName(v)}");

    /// <summary>GNU ld links the transform's objects under the same script byte for byte as the engine does
    /// (LinkComparison: readelf -SsrW, the map, every section's bytes).</summary>
    [TestCaseSource(nameof(GnuLdCases))]
    public void GnuLd_LinksTheObjects_AsTheEngineDoes(string arch, ElfMachine machine, string file, DietVariant variant)
    {
        Tests.Linking.LinkComparison.RequireLd(machine);

        var dir = Dir("gnu-ld", arch, file, DietLayout.VariantName(variant));
        DietTransformResult r;
        using (var f = ElfFile.Open(TestPaths.Sample(arch, file)))
        {
            r = DietTransform.Run(f, dir, variant);
        }

        File.Copy(Path.Combine(TestPaths.Root, "linker", r.Script), Path.Combine(dir, r.Script), true);
        var outcome = Tests.Linking.LinkComparison.Run(dir, r.Script, r.Objects.Select(o => o.Name).ToList(), machine);
        outcome.LdOk.Should().BeTrue(outcome.LdError);
        outcome.Differences.Should().BeEmpty();
    }

    [Test]
    public void Units_AreRunsOfModnameAndFile_InRecordOrder()
    {
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "beta.ko"));
        var records = MainlineImage.Load(f).Records;
        var units = DietTransform.Units(records);
        units.Select(u => u.SourceName).Should().Equal("beta_core.c", "beta_proto.c");
        units.SelectMany(u => u.Callsites).Select(c => (c.Function, c.LineNo)).Should().Equal(records.Select(r => (r.Function, r.LineNo)));
    }

    /// <summary>JUMP_LABEL keys are initialised in place as the compiled samples have them (samples/README.md:
    /// (0,0), or (1,1) under DEBUG): <c>enabled</c> a 32-bit word at the key, <c>type</c> a pointer-sized word
    /// after it; delta.c is built with DEBUG, so every key is (1,1).</summary>
    [TestCase("x86_64")]
    [TestCase("s390x")]
    [TestCase("i386")]
    public void StaticKeys_AreInitialisedInPlace(string arch)
    {
        using var input = ElfFile.Open(TestPaths.Sample(arch, "delta.ko"));
        var unit = DietTransform.Units(MainlineImage.Load(input).Records).Single();
        unit.Callsites.Should().OnlyContain(c => c.KeyEnabled);
        var target = ObjectTarget.ForArch(arch)!;
        var layout = DietLayout.Create(DietVariant.V5, target.PointerSize, target.BigEndian, jumpLabel: true);
        var f = ElfFile.FromBytes("delta.o", DietObjectWriter.Build(unit, target, layout).ToArray());
        var bytes = f.GetContents(f.FindSection(layout.DescriptorSection)!);
        for (var k = 0; k < unit.Callsites.Count; k++)
        {
            var at = (k * layout.RecordSize) + layout.KeyOffset;
            f.Endian.U32(bytes[at..]).Should().Be(1, $"record {k} enabled");
            f.Endian.Word(bytes[(at + layout.PointerSize)..], layout.PointerSize).Should().Be(1, $"record {k} type");
        }
    }

    [Test]
    public void ClassedCallsites_AreCounted()
    {
        var dir = Dir("classed");
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "delta.o"));
        var r = DietTransform.Run(f, dir, DietVariant.V5);
        r.ClassedCallsites.Should().Be(1, "delta.c has one pr_debug_cls site (samples/README.md)");
    }

    [Test]
    public void DietInput_IsRefused_WithDyn015()
    {
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "diet/v5/alpha.ko"));
        var act = () => DietTransform.Run(f, Dir("refused"), DietVariant.V5);
        act.Should().Throw<DyndbgFormatException>().Which.Id.Should().Be(DyndbgErrorIds.AlreadyDiet);
    }

    /// <summary>The compiled diet sample and the transform of the same module's mainline build hold the same call
    /// sites and the same verdict. Only where GNU ld linked the sample (x86_64, i386, s390x): ld.lld keeps every
    /// .gnu.linkonce.dyndbg copy, so the other arches' samples carry one header per object.</summary>
    [TestCase("x86_64", "v5")]
    [TestCase("x86_64", "v5-nosite")]
    [TestCase("x86_64", "v6")]
    [TestCase("i386", "v5")]
    [TestCase("i386", "v6")]
    [TestCase("s390x", "v5")]
    [TestCase("s390x", "v5-nosite")]
    [TestCase("i386", "v5-nosite")]
    [TestCase("s390x", "v6")]
    public void Transform_MatchesTheCompiledDietSample(string arch, string variant)
    {
        var v = DietLayout.ParseVariant(variant)!.Value;
        foreach (var module in new[] { "alpha", "beta", "gamma" })
        {
            var (_, linked) = TransformAndLink(TestPaths.Sample(arch, module + ".ko"), v, Dir("vs-gcc", arch, variant, module));
            using var ours = ElfFile.Open(linked);
            using var theirs = ElfFile.Open(TestPaths.Sample(arch, $"diet/{variant}/{module}.ko"));
            var a = DietImage.Load(ours)!;
            var b = DietImage.Load(theirs)!;
            a.Layout.Should().Be(b.Layout, module);
            a.SiteRecords.Select(s => (s.ModnameText, s.FilenameText, s.FunctionText)).Skip(1)
                .Should().Equal(b.SiteRecords.Select(s => (s.ModnameText, s.FilenameText, s.FunctionText)).Skip(1), module);
            a.Elements.Select(e => (e.FormatText, e.LineNo, e.Flags)).Skip(1)
                .Should().Equal(b.Elements.Select(e => (e.FormatText, e.LineNo, e.Flags)).Skip(1), module);
            DietChecks.Run(a).Select(x => x.Id).Should().BeEquivalentTo(DietChecks.Run(b).Select(x => x.Id), module);
        }
    }
}
