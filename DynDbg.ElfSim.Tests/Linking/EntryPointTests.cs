using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// e_entry of an ld -r output, against each architecture's own ld.bfd 2.40 (ld/ldlang.c <c>lang_end</c>): the ENTRY
/// symbol's address (the last ENTRY wins), or that of a global named "start" (<c>entry_symbol_default</c>) when the
/// script names none; 0 when the symbol is not defined. ENTRY was parsed and then ignored before: a script with one,
/// or any object defining "start", linked with e_entry 0 where ld wrote the address.
/// </summary>
[TestFixture]
public class EntryPointTests
{
    private const string Source = """
        	.text
        	.long 0
        	.globl start
        start:	.long 1
        	.globl other
        other:	.long 2
        	.weak wk
        wk:	.long 3
        	.section .dis,"ax",%progbits
        	.long 0
        	.globl gone
        gone:	.long 4
        	.data
        	.long 5
        """;

    private static readonly (string Name, string Script)[] Scripts =
    [
        ("DefaultStart", "SECTIONS { .text 0x40 : { *(.text) } }"),
        ("EntrySymbol", "ENTRY(other) SECTIONS { .text 0x40 : { *(.text) } }"),
        ("WeakSymbol", "ENTRY(wk) SECTIONS { .text 0x40 : { *(.text) } }"),
        ("Undefined", "ENTRY(nosuch) SECTIONS { .text 0x40 : { *(.text) } }"),
        ("InADiscardedSection", "ENTRY(gone) SECTIONS { .text 0x40 : { *(.text) } /DISCARD/ : { *(.dis) } }"),
        ("ScriptSymbolLastEntryWins", "SECTIONS { .text 0x40 : { *(.text) } ENTRY(other) .data 0x100 : { q = .; *(.data) } } ENTRY(q)"),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from m in new[] { ElfMachine.X86_64, ElfMachine.I386, ElfMachine.S390, ElfMachine.Mips }
        from s in Scripts
        select new TestCaseData(m, s.Name, s.Script).SetName($"Entry_{m}_{s.Name}");

    [TestCaseSource(nameof(Cases))]
    public void TheEntryPoint_IsLds(ElfMachine machine, string name, string script)
    {
        LinkComparison.RequireLd(machine);
        var (asm, args, _) = SyntheticInputs.Assembler(machine);
        Tools.Require(asm);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "entry", $"{machine}-{name}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "e.lds"), script + "\n");
        File.WriteAllText(Path.Combine(dir, "e.s"), Source + "\n");
        var (code, _, err) = Tools.RunIn(dir, asm, [.. args, "-o", "e.o", "e.s"]);
        code.Should().Be(0, err);
        var o = LinkComparison.Run(dir, "e.lds", ["e.o"], machine);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
        using var ours = ElfFile.Open(Path.Combine(dir, "our.o"));
        (ours.Header.Entry != 0).Should().Be(name != "Undefined");
    }
}
