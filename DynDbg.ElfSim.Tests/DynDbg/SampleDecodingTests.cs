using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>
/// The bundled samples (samples/src, built by clang for eight architectures) decode to the call sites in their
/// sources; the same sources give the same control file on every architecture.
/// </summary>
[TestFixture]
public class SampleDecodingTests
{
    private static readonly (string Module, int Records, bool JumpLabel)[] Modules =
        [("alpha", 11, true), ("beta", 10, true), ("gamma", 4, false), ("delta", 5, true)];

    private static IEnumerable<TestCaseData> ArchModules() =>
        from arch in TestPaths.Arches
        from m in Modules
        select new TestCaseData(arch, m.Module, m.Records, m.JumpLabel).SetName($"Decodes_{arch}_{m.Module}");

    private static (ElfFile File, MainlineImage Image) Load(string arch, string file)
    {
        var f = ElfFile.Open(TestPaths.Sample(arch, file));
        return (f, MainlineImage.Load(f));
    }

    [TestCaseSource(nameof(ArchModules))]
    public void EveryModuleDecodes(string arch, string module, int records, bool jumpLabel)
    {
        var (f, img) = Load(arch, module + ".ko");
        using (f)
        {
            var l = img.Decision!.Layout;
            l.Version.Should().Be(DdebugVersion.V61);
            l.JumpLabel.Should().Be(jumpLabel);
            l.PointerSize.Should().Be(f.Header.Is64 ? 8 : 4);
            l.BigEndian.Should().Be(arch == "s390x");
            l.RecordSize.Should().Be((f.Header.Is64, jumpLabel) switch { (true, true) => 56, (true, false) => 40, (false, true) => 32, _ => 24 });
            img.Records.Should().HaveCount(records);
            img.Records.Should().OnlyContain(r => r.Modname == module && r.LineNo > 0 && r.Filename.EndsWith(".c", StringComparison.Ordinal));
            img.Decision.Evidence.Should().Contain(e => e.StartsWith("relocations at +0,", StringComparison.Ordinal));
        }
    }

    [TestCase("alpha")]
    [TestCase("beta")]
    [TestCase("gamma")]
    [TestCase("delta")]
    public void SameSources_SameControlFile_OnEveryArchitecture(string module)
    {
        var outputs = TestPaths.Arches.Select(arch =>
        {
            var (f, img) = Load(arch, module + ".ko");
            using (f)
            {
                return (arch, text: ControlFileWriter.Render([img]));
            }
        }).ToArray();
        foreach (var (arch, text) in outputs.Skip(1))
        {
            text.Should().Be(outputs[0].text, $"{arch} decodes the same sources as {outputs[0].arch}");
        }
    }

    [TestCase("x86_64")]
    [TestCase("s390x")]
    public void VmlinuxO_IsCutIntoBuiltinSlices(string arch)
    {
        var (f, img) = Load(arch, "vmlinux.o");
        using (f)
        {
            img.Kind.Should().Be(ImageKind.BuiltIn);
            img.Tables.Select(t => (t.ModName, t.Count)).Should().Equal(("alpha", 11), ("beta", 10), ("delta", 5));
            img.Tables.Single(t => t.ModName == "delta").Classes.Should().ContainSingle()
                .Which.ClassNames.Should().Contain("DELTA_IO");
        }
    }

    [Test]
    public void VmlinuxO_ControlFile_MatchesGolden()
    {
        var (f, img) = Load("x86_64", "vmlinux.o");
        using (f)
        {
            ControlFileWriter.Render([img]).Should().Be(File.ReadAllText(TestPaths.Golden("x86_64-vmlinux.o.control")));
        }
    }

    [Test]
    public void DebugBuiltFile_HasPrintFlagAndTrueKey()
    {
        var (f, img) = Load("x86_64", "delta.ko");
        using (f)
        {
            // DEBUG defined: _DPRINTK_FLAGS_DEFAULT = p and STATIC_KEY_TRUE_INIT (reference §1.1).
            img.Records.Should().OnlyContain(r => r.Flags == 1 && r.KeyEnabled == 1 && r.KeyType == 1);
            img.Records.Should().ContainSingle(r => r.ClassId != DdebugLayout.DefaultClass);
        }
    }

    [Test]
    public void GammaWithoutJumpLabel_HasNoKey()
    {
        var (f, img) = Load("armhf", "gamma.ko");
        using (f)
        {
            img.Records.Should().OnlyContain(r => r.KeyEnabled == -1 && r.Flags == 0);
        }
    }

    [TestCase("pre59.o", DdebugVersion.Pre59, "section __verbose: before 5.9")]
    [TestCase("v59.o", DdebugVersion.V59, "no record has class_id 63 (the 6.1 default) after lineno: 5.9-6.0")]
    public void LegacyLayouts_AreRecognised(string file, DdebugVersion version, string evidence)
    {
        var (f, img) = Load("x86_64", Path.Combine("legacy", file));
        using (f)
        {
            img.Decision!.Layout.Version.Should().Be(version);
            img.Decision.Evidence.Should().Contain(evidence);
            img.Records.Should().HaveCount(3);
            img.Records.Should().OnlyContain(r => r.ClassId == -1);
        }
    }

    [Test]
    public void ForcedProfile_ThatDoesNotFit_IsAnError()
    {
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "alpha.ko"));
        var act = () => MainlineImage.Load(f, DdebugLayout.ByName("v6.1-64le-nojl"));
        act.Should().Throw<DyndbgFormatException>().Which.Id.Should().Be(DyndbgErrorIds.RecordSizeMismatch);
        var wrongClass = () => MainlineImage.Load(f, DdebugLayout.ByName("v6.1-32le-jl"));
        wrongClass.Should().Throw<DyndbgFormatException>().Which.Id.Should().Be(DyndbgErrorIds.ProfileMismatch);
    }

    [Test]
    public void ObjectWithoutDyndbg_HasNoTables()
    {
        using var f = ElfFile.Open(TestPaths.Sample("x86_64", "legacy/pre59.o"));
        var img = MainlineImage.Load(f, DdebugLayout.ByName("v6.1-64le-jl"));
        img.Region.Should().BeNull();
        img.Tables.Should().BeEmpty();
    }
}
