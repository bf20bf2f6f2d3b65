using System.Text;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// The control file on Debian's real amd64 kernel: the -dbg vmlinux's built-in tables plus modules loaded in
/// order, compared write by write with the real 6.1 lib/dynamic_debug.c (KernelSource), and the whole module tree.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class RealControlTests
{
    internal static readonly string[] ModuleList =
    [
        "net/bluetooth/bnep/bnep.ko", "fs/fuse/fuse.ko", "net/netfilter/nf_conntrack.ko", "fs/btrfs/btrfs.ko",
        "net/sctp/sctp.ko", "drivers/usb/serial/usbserial.ko", "drivers/gpu/drm/amd/amdgpu/amdgpu.ko",
    ];

    private static IReadOnlyList<MainlineImage> KernelAndModules() =>
        [Images.Load(RealAmd64.Vmlinux), .. ModuleList.Select(m => Images.Load(RealAmd64.Module(m)))];

    [Test]
    [Category("KernelSource")]
    public void Corpus_AgreesWithTheKernelSource()
    {
        var images = KernelAndModules();
        images.Sum(i => i.Records.Count).Should().BeGreaterThan(4000);
        images[^1].ClassMaps.Should().ContainSingle("amdgpu carries drm_debug_classes").Which.ClassNames.Should().Contain("DRM_UT_CORE");
        using var run = new ControlDifferential(images);
        run.BootLogDifference.Should().BeNull();
        run.CompareState().Should().BeNull("the boot state agrees");
        foreach (var write in QueryCorpus.Load("real-amd64.txt"))
        {
            run.Step(write).Should().BeNull($"write '{Reports.ControlTextReport.Quote(Encoding.UTF8.GetString(write))}' agrees with the kernel");
        }
    }

    [Test]
    [Category("KernelSource")]
    public void Fuzz_AgreesWithTheKernelSource()
    {
        var images = KernelAndModules();
        using var run = new ControlDifferential(images, verbose: 1, pid: 1234);
        var fuzz = new QueryFuzzer(61, images);
        for (var i = 0; i < 400; i++)
        {
            var write = fuzz.Next();
            run.Step(write).Should().BeNull($"fuzz write {i} '{Reports.ControlTextReport.Quote(Encoding.UTF8.GetString(write))}' agrees with the kernel");
        }
    }

    [Test]
    [Category("KernelSource")]
    public void WholeModuleTree_AgreesWithTheKernelSource()
    {
        var modules = Directory.EnumerateFiles(RealAmd64.Modules, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(Images.Load).Where(i => i.Records.Count > 0).ToArray();
        modules.Length.Should().BeGreaterThan(1300);
        var images = new List<MainlineImage> { Images.Load(RealAmd64.Vmlinux) };
        images.AddRange(modules);
        using var run = new ControlDifferential(images, verbose: 0);
        var sites = run.Ours.Tables.Sum(t => t.Sites.Count);
        sites.Should().Be(images.Sum(i => i.Records.Count));
        run.CompareState().Should().BeNull("the boot state of vmlinux and every module agrees");
        foreach (var q in new[] { "+p", "module snd* -p; func *probe* =mf", "format ^%s: +t; line 100-200 +l", "class DRM_UT_KMS +p", "=_" })
        {
            run.Step(Encoding.ASCII.GetBytes(q)).Should().BeNull($"'{q}' over {sites} sites agrees with the kernel");
        }
    }

    [Test]
    public void PlusP_ReachesEveryDefaultClassSite_AndEnablesItsKey()
    {
        var c = new DyndbgControl();
        foreach (var image in KernelAndModules())
        {
            c.Load(image).Should().Be(0);
        }

        var all = c.Tables.SelectMany(t => t.Sites).ToArray();
        var r = c.Write("+p"u8);
        r.Rc.Should().Be(2);
        r.Matches.Should().Be(all.Count(s => s.ClassId == DdebugLayout.DefaultClass));
        all.Should().OnlyContain(s => s.Prints && s.Key!.Value.Enabled == 1);
        c.Write("-p"u8).Rc.Should().Be(2);
        all.Should().OnlyContain(s => !s.Prints && s.Key!.Value.Instruction == (s.Key.Value.InitiallyTrue ? "jmp" : "nop"));
    }
}
