using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// What a student links: three small C files compiled by clang for each architecture with default flags (so with
/// <c>.eh_frame</c> or <c>.ARM.exidx</c>, build attributes, <c>.note.GNU-stack</c>, local labels), at -O0, -O2 and
/// -O2 -g, relinked with <c>-r -T module.lds</c> by the architecture's own ld.bfd and by the engine, compared as the
/// differential tests compare (readelf -S -s -r, the map, every section's bytes).
/// </summary>
[TestFixture]
public class ClangObjectLinkTests
{
    private const string A = "int counter;\nstatic int helper(int x) { return x * 3 + counter; }\nint api_a(int v) { counter += helper(v); return counter; }\n";
    private const string B = "extern int api_a(int);\nint api_b(int v) { int s = 0; for (int i = 0; i < v; i++) s += api_a(i); return s; }\n";
    private const string Unused = "__attribute__((section(\".text.unused\"))) int api_unused(int v) { return api_a(v) + 1; }\n";
    private const string C = "int printf(const char *, ...);\nint api_b(int);\nstatic const char fmt[] = \"%d\\n\";\nint main(void) { printf(fmt, api_b(3)); return 0; }\n";

    /// <summary>The eight targets, by clang's triple, with the machine whose ld.bfd links them.</summary>
    internal static readonly (string Target, ElfMachine Machine)[] Targets =
    [
        ("x86_64-linux-gnu", ElfMachine.X86_64),
        ("i686-linux-gnu", ElfMachine.I386),
        ("aarch64-linux-gnu", ElfMachine.AArch64),
        ("arm-linux-gnueabihf", ElfMachine.Arm),
        ("powerpc64le-linux-gnu", ElfMachine.Ppc64),
        ("s390x-linux-gnu", ElfMachine.S390),
        ("mips64el-linux-gnuabi64", ElfMachine.Mips),
        ("riscv64-linux-gnu", ElfMachine.RiscV),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from t in Targets
        from flags in new[] { "-O0", "-O2", "-O2 -g" }
        select new TestCaseData(t.Target, t.Machine, flags).SetName($"Clang_{t.Target}_{flags.Replace(' ', '_')}");

    [TestCaseSource(nameof(Cases))]
    public void ClangObjects_LinkLikeTheArchitecturesOwnLd(string target, ElfMachine machine, string flags)
    {
        var o = Link(target, machine, flags);
        TestContext.Out.WriteLine($"{target} {flags}: {o.Sections} sections, {o.Symbols} symbols, {o.Relocations} relocations; " +
                                  $"readelf {(o.ElfTextIdentical ? "identical" : "differs")}, map {(o.MapTextIdentical ? "identical" : "differs")}");
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
        o.ElfTextIdentical.Should().BeTrue();
        o.MapTextIdentical.Should().BeTrue();
    }

    /// <summary>
    /// bfd/elf-eh-frame.c <c>_bfd_elf_discard_section_eh_frame</c>: with -ffunction-sections and a script that
    /// discards one function's section, its FDE goes (its relocations become R_*_NONE at the previous offset), a CIE
    /// left without FDEs goes too, and the rest move up; the same on every architecture whose emulation edits
    /// .eh_frame in -r.
    /// </summary>
    [TestCase("x86_64-linux-gnu", ElfMachine.X86_64)]
    [TestCase("i686-linux-gnu", ElfMachine.I386)]
    [TestCase("aarch64-linux-gnu", ElfMachine.AArch64)]
    [TestCase("powerpc64le-linux-gnu", ElfMachine.Ppc64)]
    [TestCase("s390x-linux-gnu", ElfMachine.S390)]
    [TestCase("mips64el-linux-gnuabi64", ElfMachine.Mips)]
    [TestCase("riscv64-linux-gnu", ElfMachine.RiscV)]
    public void DiscardedFunction_ItsFdeGoes_AsLdDoes(string target, ElfMachine machine)
    {
        const string script = "SECTIONS {\n  /DISCARD/ : { *(.text.unused) }\n  .text : { *(.text .text.*) }\n  .eh_frame : { *(.eh_frame) }\n}\n";
        var o = Link(target, machine, "-O2 -ffunction-sections", script);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
        o.ElfTextIdentical.Should().BeTrue();
        o.MapTextIdentical.Should().BeTrue();
    }

    /// <summary><c>explain</c> says what ld's backends did to a section, beside where it went: the .eh_frame ld
    /// re-laid (ppc64le, 0x30 -> 0x2c) and the .ARM.attributes it merged (armhf).</summary>
    [Test]
    public void Explain_NamesWhatLdsBackendsChanged()
    {
        Link("powerpc64le-linux-gnu", ElfMachine.Ppc64, "-O2");
        var ppc = Path.Combine(TestContext.CurrentContext.WorkDirectory, "clang-objects", "powerpc64le-linux-gnu-O2");
        var (code, text, err) = Tools.RunIn(ppc, "dotnet", Path.Combine(TestContext.CurrentContext.TestDirectory, "DynDbg.ElfSim.dll"),
            "explain", "-T", "module.lds", "a.o", "b.o", "c.o");
        code.Should().Be(0, err);
        text.Should().Contain(".eh_frame parsed as ld does in -r (_bfd_elf_discard_section_eh_frame): padding nops trimmed, entries re-laid (0x30 -> 0x2c)");

        Link("arm-linux-gnueabihf", ElfMachine.Arm, "-O2");
        var arm = Path.Combine(TestContext.CurrentContext.WorkDirectory, "clang-objects", "arm-linux-gnueabihf-O2");
        (code, text, err) = Tools.RunIn(arm, "dotnet", Path.Combine(TestContext.CurrentContext.TestDirectory, "DynDbg.ElfSim.dll"),
            "explain", "-T", "module.lds", "a.o", "b.o", "c.o");
        code.Should().Be(0, err);
        text.Should().Contain("build attributes parsed and merged: .ARM.attributes holds the merged set written without default values");
    }

    private static LinkComparison.Outcome Link(string target, ElfMachine machine, string flags, string? script = null)
    {
        Tools.Require("clang");
        LinkComparison.RequireLd(machine);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "clang-objects", $"{target}{flags.Replace(' ', '_')}{(script is null ? "" : "-script")}");
        Directory.CreateDirectory(dir);
        foreach (var (name, text) in new[] { ("a.c", A + Unused), ("b.c", B), ("c.c", C) })
        {
            File.WriteAllText(Path.Combine(dir, name), text);
        }

        var args = new List<string> { $"--target={target}", "-c" };
        args.AddRange(flags.Split(' '));
        args.AddRange(["a.c", "b.c", "c.c"]);
        var (code, _, err) = Tools.RunIn(dir, "clang", [.. args]);
        code.Should().Be(0, $"clang --target={target} {flags}: {err}");
        if (script is null)
        {
            File.Copy(Path.Combine(TestPaths.Root, "linker", "module.lds"), Path.Combine(dir, "module.lds"), true);
        }
        else
        {
            File.WriteAllText(Path.Combine(dir, "module.lds"), script);
        }

        return LinkComparison.Run(dir, "module.lds", ["a.o", "b.o", "c.o"], machine);
    }
}
