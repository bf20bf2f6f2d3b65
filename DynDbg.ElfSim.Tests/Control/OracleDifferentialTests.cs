using System.Text;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>
/// The emulation against the real 6.1 <c>lib/dynamic_debug.c</c> (see <see cref="KernelOracle"/>): after every
/// write, the return code, every log line at <c>verbose=4</c>, the control file, every site's flags and static key
/// and every pr_debug prefix must be the kernel's (reference §3.2–3.3; invariants 25–31).
/// </summary>
[TestFixture]
[Category("KernelSource")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class OracleDifferentialTests
{
    private static IReadOnlyList<MainlineImage> SampleKernel() =>
        [Images.Sample("x86_64", "vmlinux.o"), Images.Sample("x86_64", "gamma.ko"), Images.Sample("i386", "alpha.ko")];

    [Test]
    public void Corpus_EveryWriteAgreesWithTheKernel()
    {
        using var run = new ControlDifferential(SampleKernel());
        run.BootLogDifference.Should().BeNull();
        run.CompareState().Should().BeNull("the boot state agrees");
        foreach (var write in QueryCorpus.Load("samples.txt"))
        {
            run.Step(write).Should().BeNull($"write '{Show(write)}' agrees with the kernel");
        }

        // The corpus reaches every error the 6.1 parser has (the unreachable "parse err after word" aside).
        var errors = run.Ours.Log.Lines.Where(l => l.Level == KernelLogLevel.Err).Select(l => l.Text).ToArray();
        foreach (var kind in new[]
                 {
                     "bad flag-op", "unknown flag", "flags parse failed", "expecting pairs of match-spec", "unknown keyword",
                     "overridden by", "line used 2x", "bad line-number", "last-line:", "unclosed quote", "too many words",
                     "tokenize failed", "query parse failed",
                 })
        {
            errors.Should().Contain(e => e.Contains(kind), $"the corpus exercises '{kind}'");
        }
    }

    [Test]
    public void EmptyAndOverlongWrites_AgreeWithTheKernel()
    {
        using var run = new ControlDifferential(SampleKernel());
        byte[][] writes =
        [
            [],
            Encoding.ASCII.GetBytes(new string(' ', 4094) + "+"),
            Encoding.ASCII.GetBytes(new string(' ', 4093) + "+p"),
            Encoding.ASCII.GetBytes(new string(' ', 4094) + "+p"),
            Encoding.ASCII.GetBytes("+p" + new string(';', 5000)),
        ];
        foreach (var write in writes)
        {
            run.Step(write).Should().BeNull($"a {write.Length}-byte write agrees with the kernel");
        }
    }

    [TestCase(0)]
    [TestCase(4)]
    public void Fuzz_ThousandsOfWritesAgreeWithTheKernel(int verbose)
    {
        var images = SampleKernel();
        using var run = new ControlDifferential(images, verbose, pid: 4242);
        var fuzz = new QueryFuzzer(20260522 + verbose, images);
        for (var i = 0; i < 3000; i++)
        {
            var write = fuzz.Next();
            run.Step(write).Should().BeNull($"fuzz write {i} '{Show(write)}' agrees with the kernel");
        }
    }

    [Test]
    public void PrefixesInInterruptContext_AgreeWithTheKernel()
    {
        using var run = new ControlDifferential(SampleKernel(), verbose: 0, pid: 7, inInterrupt: true);
        run.Step("=pmflt"u8.ToArray()).Should().BeNull();
        run.Step("module beta -m; func alpha_dump -f"u8.ToArray()).Should().BeNull();
    }

    [Test]
    public void StaticKeysOutOfStep_WarnOnceLikeTheKernel()
    {
        // delta.ko's records are DEBUG builds: flags p, key (1, true). Make one key count 2, one -1, as a buggy
        // module could, and toggle them: static_key_enable/disable leave them and WARN_ON_ONCE, once each.
        var bytes = File.ReadAllBytes(TestPaths.Sample("x86_64", "delta.ko"));
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "delta-keys.ko");
        using (var f = ElfFile.Open(TestPaths.Sample("x86_64", "delta.ko")))
        {
            var img = MainlineImage.Load(f);
            var r0 = img.Records[0];
            var r1 = img.Records[1];
            var layout = img.Decision!.Layout;
            BitConverter.GetBytes(2).CopyTo(bytes, (int)r0.FileOffset + layout.KeyOffset);
            BitConverter.GetBytes(-1).CopyTo(bytes, (int)r1.FileOffset + layout.KeyOffset);
        }

        File.WriteAllBytes(path, bytes);
        using var file = ElfFile.Open(path);
        using var run = new ControlDifferential([MainlineImage.Load(file)], verbose: 0);
        foreach (var q in new[] { "-p", "+p", "-p", "+p" })
        {
            run.Step(Encoding.ASCII.GetBytes(q)).Should().BeNull($"'{q}' agrees with the kernel");
        }
    }

    private static string Show(byte[] write)
    {
        var s = Encoding.UTF8.GetString(write.Length > 200 ? write[..200] : write);
        return Reports.ControlTextReport.Quote(s) + (write.Length > 200 ? $"… ({write.Length} bytes)" : "");
    }
}
