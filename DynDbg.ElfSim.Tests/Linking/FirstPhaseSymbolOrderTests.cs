using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// ld/ldlang.c <c>open_input_bfds</c> folds each script assignment where it stands (lang_first_phase_enum), and with
/// <c>-T</c> before the files that is before any input is loaded: the target's hash entry, and those of the names
/// its value reads, are created then. GNU ld writes a relocatable output's globals in bfd hash traversal order, so
/// two names in one bucket come out in the order of their creation. Each case pairs names that share a bucket of
/// the 4051-bucket table (g2, ssca, wxca) and is checked against x86_64 ld.bfd 2.40, map and bytes included. The
/// seeded random generator found it (s390x seed 5362: a top-level <c>top_5362 = 0xaa;</c> and a common g2).
/// </summary>
[TestFixture]
public class FirstPhaseSymbolOrderTests
{
    private const string DefinesG2 = "\t.text\n\t.globl g2\ng2:\t.long 0\n";
    private const string DefinesSsca = "\t.text\n\t.globl ssca\nssca:\t.long 0\n";

    [Test]
    public void TheCaseNamesShareABfdHashBucket()
    {
        var buckets = new[] { "g2", "ssca", "wxca" }.Select(n => BfdHashOrder<LinkSymbol>.Hash(n) % 4051).Distinct();
        buckets.Should().ContainSingle();
    }

    // Assignment targets: created in the first phase, before the inputs, wherever the assignment stands.
    [TestCase("ssca = 0x10; SECTIONS { .text : { *(.text) } }", false, "g2 ssca")]
    [TestCase("SECTIONS { .text : { *(.text) ssca = .; } }", false, "g2 ssca")]
    [TestCase("SECTIONS { .text : { *(.text) } } ssca = 0x10;", false, "g2 ssca")]
    [TestCase("SECTIONS { .text : { *(.text) ssca = SIZEOF(.text); } }", false, "g2 ssca")]
    [TestCase("SECTIONS { .text : { *(.text) wxca = DEFINED(ssca) ? 1 : 2; } }", false, "g2 wxca")]
    // A PROVIDE is not folded unless its symbol is referenced by then.
    [TestCase("SECTIONS { .text : { *(.text) PROVIDE(ssca = .); LONG(ssca) } }", false, "ssca g2")]
    // Names a value reads: created when folded; DEFINED, ASSERT, data statements and dot assignments create none.
    [TestCase("SECTIONS { .text : { *(.text) zzq = ssca; } }", true, "g2 ssca zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = SIZEOF(.text) + ssca; } }", true, "g2 ssca zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = ALIGN(ssca); } }", true, "g2 ssca zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = DEFINED(ssca) ? 1 : 2; } }", true, "ssca g2 zzq")]
    [TestCase("SECTIONS { .text : { *(.text) } } ASSERT(ssca > 0, \"x\");", true, "ssca g2")]
    [TestCase("SECTIONS { .text : { *(.text) LONG(ssca) } }", true, "ssca g2")]
    [TestCase("SECTIONS { .text : { *(.text) . = ALIGN(ssca); } }", true, "ssca g2")]
    // A condition picks its branch when valid there: numbers, dot (0), CONSTANT, DEFINED, symbols defined so far.
    [TestCase("SECTIONS { .text : { *(.text) zzq = DEFINED(qqq) ? 1 : ssca; } }", true, "g2 ssca zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = . ? 1 : ssca; } }", true, "g2 ssca zzq")]
    [TestCase("zzq = (. == 0) ? 1 : ssca; SECTIONS { .text : { *(.text) } }", true, "ssca g2 zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = CONSTANT(MAXPAGESIZE) ? ssca : 1; } }", true, "g2 ssca zzq")]
    [TestCase("qqq = 5; SECTIONS { .text : { *(.text) zzq = DEFINED(qqq) ? ssca : 1; } }", true, "g2 ssca zzq qqq")]
    [TestCase("qqq = .; SECTIONS { .text : { *(.text) zzq = qqq ? 1 : ssca; } }", true, "g2 ssca zzq qqq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = g2 ? ssca : 1; } }", true, "ssca g2 zzq")]
    // The same arithmetic as the later phases (fold_binary, fold_unary): signed division, LOG2CEIL.
    // (Through a symbol: ld folds a constant subexpression when it parses it, so its map would print the result.)
    [TestCase("qqq = 4; SECTIONS { .text : { *(.text) zzq = ((qqq - 8) / 2 == (qqq - 6)) ? ssca : 1; } }", true, "g2 ssca zzq qqq")]
    [TestCase("qqq = 4; SECTIONS { .text : { *(.text) zzq = ((qqq - 9) % 2 == (qqq - 5)) ? ssca : 1; } }", true, "g2 ssca zzq qqq")]
    [TestCase("qqq = 4; SECTIONS { .text : { *(.text) zzq = (LOG2CEIL(qqq) == 2) ? ssca : 1; } }", true, "g2 ssca zzq qqq")]
    // Folded while parsing (exp_binop, exp_trinop): the condition is a number by then.
    [TestCase("SECTIONS { .text : { *(.text) zzq = ((0 - 8) / 2 == (0 - 4)) ? ssca : 1; } }", true, "g2 ssca zzq")]
    // SIZEOF and ADDR are not valid yet, nor ALIGN (x) and NEXT (fold_unary): neither branch is folded.
    [TestCase("SECTIONS { .text : { *(.text) zzq = ALIGN(1) ? 1 : ssca; } }", true, "ssca g2 zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = NEXT(1) ? 1 : ssca; } }", true, "ssca g2 zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = SIZEOF(.text) ? 1 : ssca; } }", true, "ssca g2 zzq")]
    [TestCase("SECTIONS { .text : { *(.text) zzq = ADDR(.text) ? 1 : ssca; } }", true, "ssca g2 zzq")]
    public void ScriptSymbols_AreCreatedInTheFirstPhase_AsLdDoes(string script, bool secondInputDefinesSsca, string globals)
    {
        LinkComparison.RequireLd(ElfMachine.X86_64);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "first-phase", BfdHashOrder<LinkSymbol>.Hash(TestContext.CurrentContext.Test.Name).ToString("x16"));
        Directory.CreateDirectory(dir);
        var inputs = new List<string> { SyntheticInputs.AssembleIn(dir, ElfMachine.X86_64, "g", DefinesG2) };
        if (secondInputDefinesSsca)
        {
            inputs.Add(SyntheticInputs.AssembleIn(dir, ElfMachine.X86_64, "b", DefinesSsca));
        }

        File.WriteAllText(Path.Combine(dir, "s.lds"), script + "\n");
        var o = LinkComparison.Run(dir, "s.lds", inputs, ElfMachine.X86_64);
        o.LdOk.Should().BeTrue(o.LdError);
        o.Differences.Should().BeEmpty();
        o.ElfTextIdentical.Should().BeTrue();
        o.MapTextIdentical.Should().BeTrue();
        using var ours = ElfFile.Open(Path.Combine(dir, "our.o"));
        var symtab = ours.SymbolTable!;
        string.Join(' ', Enumerable.Range(1, symtab.Count - 1).Where(i => symtab[i].Binding == ElfConstants.StbGlobal).Select(symtab.GetName))
            .Should().Be(globals);
    }
}
