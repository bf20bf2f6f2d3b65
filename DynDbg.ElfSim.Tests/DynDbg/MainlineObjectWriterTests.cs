using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Linking;
using FluentAssertions;

namespace DynDbg.ElfSim.Tests.DynDbg;

/// <summary>
/// <see cref="MainlineObjectWriter"/>: what it writes decodes back to exactly the call sites it was given (every
/// arch's 6.1 profile, older generations, JUMP_LABEL off), a module is recognised as one by the decoder and the
/// 6.1 loader, and GNU readelf and ld.bfd accept the x86_64 output (ld.bfd and our engine link it identically).
/// </summary>
[TestFixture]
public class MainlineObjectWriterTests
{
    private static string Dir(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "mainline-writer", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static List<Callsite> Sites(IEnumerable<CompilationUnit> units) => units.SelectMany(u => u.Callsites).ToList();

    /// <summary>What a decoded record says about its call site, for a layout without class_id (-1 → 63) or key.</summary>
    private static Callsite Decoded(DdebugRecord r, DdebugLayout layout) =>
        new(r.Modname, r.Filename, r.Function, r.Format, r.LineNo, r.Flags,
            layout.ClassId is null ? DdebugLayout.DefaultClass : r.ClassId, layout.JumpLabel && r.KeyEnabled > 0);

    private static Callsite Expected(Callsite c, DdebugLayout layout) =>
        layout.JumpLabel ? c : c with { KeyEnabled = false };

    private static IEnumerable<TestCaseData> Profiles()
    {
        foreach (var arch in TestPaths.Arches)
        {
            yield return new TestCaseData(arch, null).SetName($"RoundTrip_{arch}_6.1");
        }

        yield return new TestCaseData("x86_64", "v5.9-64le-jl").SetName("RoundTrip_x86_64_v5.9");
        yield return new TestCaseData("x86_64", "pre5.9-64le-nojl").SetName("RoundTrip_x86_64_pre5.9_nojl");
        yield return new TestCaseData("i386", "v6.1-32le-nojl").SetName("RoundTrip_i386_6.1_nojl");
        yield return new TestCaseData("s390x", "v5.9-64be-nojl").SetName("RoundTrip_s390x_v5.9_nojl");
        yield return new TestCaseData("armhf", "pre5.9-32le-jl").SetName("RoundTrip_armhf_pre5.9");
        yield return new TestCaseData("ppc64le", "v6.1-64le-nojl").SetName("RoundTrip_ppc64le_6.1_nojl");
    }

    [TestCaseSource(nameof(Profiles))]
    public void BuiltInObject_DecodesToTheSameCallsites(string arch, string? profile)
    {
        var target = ObjectTarget.ForArch(arch)!;
        var layout = profile is null ? MainlineObjectWriter.DefaultLayout(target) : DdebugLayout.ByName(profile)!;
        var units = new SynthGenerator(7).BuiltIn(600).ToList();
        var path = Path.Combine(Dir(arch), $"{layout.Name}.o");
        MainlineObjectWriter.Build(target, layout, units, null).WriteFile(path);

        using var file = ElfFile.Open(path);
        var img = MainlineImage.Load(file);
        img.Decision!.Layout.Should().Be(layout, "the profile detector must find the written layout from the file alone");
        img.Records.Select(r => Decoded(r, layout)).Should().Equal(Sites(units).Select(c => Expected(c, layout)));
        img.Kind.Should().Be(ImageKind.BuiltIn);
        img.Tables.Count.Should().Be(CountRuns(Sites(units).Select(c => c.ModName)));
    }

    [TestCaseSource(nameof(Profiles))]
    public void Module_IsAModuleForTheDecoderAndTheLoader(string arch, string? profile)
    {
        var target = ObjectTarget.ForArch(arch)!;
        var layout = profile is null ? MainlineObjectWriter.DefaultLayout(target) : DdebugLayout.ByName(profile)!;
        var mod = new SynthGenerator(11).Modules(3, 90)[1];
        var path = Path.Combine(Dir(arch), $"{mod.Name}-{layout.Name}.ko");
        MainlineObjectWriter.Build(target, layout, mod.Units(), mod.Name).WriteFile(path);

        using var file = ElfFile.Open(path);
        var img = MainlineImage.Load(file);
        img.Kind.Should().Be(ImageKind.Module);
        img.Tables.Should().ContainSingle().Which.ModName.Should().Be(mod.Name);
        img.Records.Select(r => Decoded(r, layout)).Should().Equal(Sites(mod.Units()).Select(c => Expected(c, layout)));
        KernelVersionProbe.ThisModuleName(file, file.FindSection(".gnu.linkonce.this_module")!).Should().Be(mod.Name);
        var loaded = ModuleLoader.Layout(file);
        loaded.ModuleName.Should().Be(mod.Name);
    }

    [Test]
    public void SameSeed_SameBytes_OtherSeed_OtherBytes()
    {
        var target = ObjectTarget.ForArch("x86_64")!;
        byte[] Bytes(int seed) => MainlineObjectWriter.Build(target, MainlineObjectWriter.DefaultLayout(target), new SynthGenerator(seed).BuiltIn(500), null).ToArray();
        Bytes(5).Should().Equal(Bytes(5));
        Bytes(5).Should().NotEqual(Bytes(6));
    }

    [Test]
    public void ReadelfShowsTheFourPointerRelocationsOfEveryRecord()
    {
        var target = ObjectTarget.ForArch("x86_64")!;
        var path = Path.Combine(Dir("readelf"), "vmlinux.o");
        MainlineObjectWriter.Build(target, MainlineObjectWriter.DefaultLayout(target), new SynthGenerator(3).BuiltIn(250), null).WriteFile(path);
        var (code, stdout, stderr) = Tools.Run("readelf", "-rW", path);
        code.Should().Be(0);
        stderr.Should().BeEmpty();
        stdout.Should().Contain("Relocation section '.rela__dyndbg' at offset").And.Contain("contains 1000 entries");
        stdout.Split('\n').Count(l => l.Contains("R_X86_64_64") && l.Contains(".rodata.str1.1 +")).Should().Be(1000);
    }

    /// <summary>ld.bfd accepts the x86_64 module and links it byte-identically to our engine under the mainline
    /// 6.1 module script and the diet v5 one (which must leave a mainline table alone).</summary>
    [TestCase("module-6.1.lds")]
    [TestCase("module.lds")]
    public void LdBfdAndTheEngineLinkTheModuleIdentically(string script)
    {
        LinkComparison.RequireLd(ElfMachine.X86_64);

        var dir = Dir($"ld-{script}");
        var target = ObjectTarget.ForArch("x86_64")!;
        var mods = new SynthGenerator(21).Modules(2, 400);
        var inputs = new List<string>();
        foreach (var m in mods)
        {
            MainlineObjectWriter.Build(target, MainlineObjectWriter.DefaultLayout(target), m.Units(), m.Name).WriteFile(Path.Combine(dir, m.Name + ".ko"));
            inputs.Add(m.Name + ".ko");
        }

        File.Copy(Path.Combine(TestPaths.Root, "linker", script), Path.Combine(dir, script), true);
        foreach (var input in inputs)
        {
            var outcome = LinkComparison.Run(dir, script, [input], ElfMachine.X86_64, "-" + input);
            outcome.LdOk.Should().BeTrue(outcome.LdError);
            outcome.OursOk.Should().BeTrue(outcome.OurError);
            outcome.Differences.Should().BeEmpty();
            outcome.ElfTextIdentical.Should().BeTrue();
        }
    }

    private static int CountRuns(IEnumerable<string> values)
    {
        var runs = 0;
        string? last = null;
        foreach (var v in values)
        {
            if (!string.Equals(v, last, StringComparison.Ordinal))
            {
                runs++;
                last = v;
            }
        }

        return runs;
    }
}
