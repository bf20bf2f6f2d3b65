using System.Text.Json;
using DynDbg.ElfSim.Cli;
using DynDbg.ElfSim.Tests.Cli;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Loading;

/// <summary>
/// Issue 13: the arch relocators' paths the booted kernels (RelocatedBytesTests) never take, on Debian's real
/// dummy.ko (it needs only the kernel) with <c>load --sections --symbols VMLINUX</c>: a module placed out of branch range goes through PLT
/// entries (arm64, armhf), ppc64's calls to the kernel go through .stubs with the r2 reload after them, and what
/// the kernel refuses (an ADRP out of range, an unknown symbol) is refused with its message.
/// </summary>
[TestFixture]
[Category("Real")]
public class RealRelocatorTests
{
    private static string Dummy(string arch) => RealInputs.Arch(arch).ModuleFiles().First(p => Path.GetFileName(p) == "dummy.ko");

    private static (int Code, Dictionary<string, byte[]> Dumps, string Err) Load(string arch, ulong core, string symbols, params string[] dumps)
    {
        var args = new List<string> { "load", "--sections", "--format", "json", "--base", $"0x{core:x}", "--init-base", $"0x{core + 0x100000:x}", "--symbols", symbols };
        foreach (var d in dumps)
        {
            args.AddRange(["--dump", d]);
        }

        args.Add(Dummy(arch));
        var (code, output, err) = CliRunner.Run([.. args]);
        return code != 0
            ? (code, [], err)
            : (code, JsonDocument.Parse(output).RootElement.GetProperty("dumps").EnumerateArray()
                .ToDictionary(d => d.GetProperty("section").GetString()!, d => Convert.FromHexString(d.GetProperty("bytes").GetString()!)), err);
    }

    private static int CountWords(byte[] bytes, uint word) =>
        Enumerable.Range(0, bytes.Length / 4).Count(i => BitConverter.ToUInt32(bytes, i * 4) == word);

    [Test]
    public void Arm64_ModuleBeyondBranchRange_CallsTheKernelThroughPltEntries()
    {
        // 512 MiB below the kernel: CALL26 reaches 128 MiB, PREL32 2 GiB, ADRP 4 GiB
        var (code, dumps, err) = Load("arm64", 0xffff7fffe8000000, RealInputs.Vmlinux("arm64"), ".plt", ".text");
        code.Should().Be(0, err);
        var plt = dumps[".plt"];
        var entries = CountWords(plt, 0xd61f0200); // br x16: the third word of each entry
        entries.Should().BeGreaterThan(5);
        TestContext.Out.WriteLine($"arm64 dummy.ko at 512 MiB from the kernel: {entries} PLT entries of {plt.Length / 12 - 1} sized");
    }

    [Test]
    public void Arm64_AdrpBeyondFourGiB_IsTheKernelsOverflowRefusal()
    {
        var (code, _, err) = Load("arm64", 0xffff700000000000, RealInputs.Vmlinux("arm64"), ".text");
        code.Should().Be(ExitCodes.CheckFailed);
        err.Should().MatchRegex(@"error LDR006: load_module would fail with -ENOEXEC: module dummy: overflow in relocation type 27[56] val [0-9a-f]+\n$");
    }

    [Test]
    public void Armhf_ModuleBeyondBranchRange_CallsTheKernelThroughPltEntries()
    {
        var (code, dumps, err) = Load("armhf", 0x80000000, RealInputs.Vmlinux("armhf"), ".plt");
        code.Should().Be(0, err);
        CountWords(dumps[".plt"], 0xe59ff038).Should().BeGreaterThan(5, "ldr pc, [pc, #56] fills each used PLT block");
    }

    [Test]
    public void Ppc64el_CallsToTheKernel_GoThroughStubs_AndTheNopAfterEachBecomesTheR2Reload()
    {
        var (code, dumps, err) = Load("ppc64el", 0xc008000000100000, RealInputs.Vmlinux("ppc64el"), ".stubs", ".text");
        code.Should().Be(0, err);
        var stubs = CountWords(dumps[".stubs"], 0x73747562); // STUB_MAGIC
        stubs.Should().BeGreaterThan(5);
        // mprofile-kernel stubs (ld r12,kernel_toc(r13) first) for _mcount, ftrace_caller and ftrace_regs_caller;
        // ld r12,32(r11) in every other
        CountWords(dumps[".stubs"], 0xe98d0010).Should().Be(3);
        CountWords(dumps[".stubs"], 0xe98b0020).Should().Be(stubs - 3);
        CountWords(dumps[".text"], 0xe8410018).Should().BeGreaterThan(10, "ld r2,24(r1) after the calls to the kernel");
    }

    [Test]
    public void AnUndefinedSymbolMissingFromTheTable_IsTheKernelsUnknownSymbolRefusal()
    {
        var map = Path.Combine(Path.GetTempPath(), $"dyndbg-elfsim-{Guid.NewGuid():N}.map");
        File.WriteAllText(map, "ffff800008010000 T _stext\n");
        try
        {
            var (code, _, err) = Load("arm64", 0xffff800001000000, map); // no --dump: the module is relocated all the same
            code.Should().Be(ExitCodes.CheckFailed);
            err.Should().MatchRegex(@"error LDR007: load_module would fail with -ENOENT: dummy: Unknown symbol \S+ \(err -2\)\n$");
        }
        finally
        {
            File.Delete(map);
        }
    }
}
