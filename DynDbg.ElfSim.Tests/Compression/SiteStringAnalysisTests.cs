using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// Which strings only the site pointers use, checked against what the sample sources do with their strings
/// (samples/src/alpha_main.c, beta_core.c).
/// </summary>
[TestFixture]
public class SiteStringAnalysisTests
{
    private static IReadOnlyList<SiteStringUse> Strings(string arch, string file)
    {
        using var f = ElfFile.Open(TestPaths.Sample(arch, file));
        return SiteTable.From(f, MainlineImage.Load(f)).Strings;
    }

    // ld.bfd -r (x86_64, i386, s390x) does not merge strings across objects: alpha_main.o and alpha_util.o keep
    // their own "alpha" (KBUILD_MODNAME). ld.lld -r (the others) merges them into one. Either way the "alpha" of
    // alpha_main.o is also the literal of alpha_hash("alpha") in alpha_init, so it is shared with code.
    [TestCase("x86_64", 2, 1)]
    [TestCase("i386", 2, 1)]
    [TestCase("s390x", 2, 1)]
    [TestCase("aarch64", 1, 0)]
    [TestCase("riscv64", 1, 0)]
    [TestCase("ppc64le", 1, 0)]
    [TestCase("mips64el", 1, 0)]
    public void Alpha_ModnameSharedWithAlphaHashCall_FunctionAndFileOnlyBySites(string arch, int modnames, int siteOnlyModnames)
    {
        var s = Strings(arch, "alpha.ko").ToDictionary(u => u.Column);
        s["modname"].Should().Be(new SiteStringUse("modname", modnames, 6 * modnames, siteOnlyModnames, 6 * siteOnlyModnames));

        // Two file names (alpha_main.c, alpha_util.c) and six functions with pr_debugs; nothing else uses them.
        s["filename"].Should().Be(new SiteStringUse("filename", 2, 26, 2, 26));
        s["function"].Strings.Should().Be(6);
        s["function"].SiteOnlyStrings.Should().Be(6);
        s["all"].Bytes.Should().Be(s["modname"].Bytes + s["filename"].Bytes + s["function"].Bytes);
    }

    [Test]
    public void ArmRel_AddendsInMovwMovt_CountEverythingAsShared()
    {
        // armhf is REL and reaches strings with MOVW/MOVT pairs, whose addends sit in the instructions: the tool
        // does not decode them, so their target sections count as shared (never an overstated "site-only").
        var all = Strings("armhf", "alpha.ko").Single(u => u.Column == "all");
        all.Bytes.Should().Be(102);
        all.SiteOnlyBytes.Should().Be(0);
    }

    [Test]
    public void SiteOnly_NeverExceedsAll_OnAnySample()
    {
        foreach (var arch in TestPaths.Arches)
        {
            foreach (var file in new[] { "alpha.ko", "beta.ko", "gamma.ko", "delta.ko" })
            {
                foreach (var u in Strings(arch, file))
                {
                    u.SiteOnlyBytes.Should().BeLessThanOrEqualTo(u.Bytes, $"{arch}/{file} {u.Column}");
                    u.SiteOnlyStrings.Should().BeLessThanOrEqualTo(u.Strings, $"{arch}/{file} {u.Column}");
                }
            }
        }
    }
}
