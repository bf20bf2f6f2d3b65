using DynDbg.ElfSim.Control;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary><c>__dynamic_emit_prefix</c> (6.1, PREFIX_SIZE 64): order t m f l, one space, 63 bytes at most.</summary>
[TestFixture]
public class MessagePrefixTests
{
    private const uint P = ControlFlags.Print, M = ControlFlags.InclModname, F = ControlFlags.InclFuncname,
        L = ControlFlags.InclLineno, T = ControlFlags.InclTid, S = ControlFlags.InclSourcename;

    private static string Emit(uint flags, string function = "alpha_open", int pid = 42, bool intr = false, FlagLetters? letters = null) =>
        MessagePrefix.Emit(flags, "alpha", function, "drivers/alpha.c", 19, letters ?? FlagLetters.Linux61, pid, intr);

    [TestCase(0u, "")]
    [TestCase(P, "")]
    [TestCase(M, "alpha: ")]
    [TestCase(F | L, "alpha_open:19: ")]
    [TestCase(P | M | F | L | T, "[42] alpha:alpha_open:19: ")]
    [TestCase(T, "[42] ")]
    [TestCase(S, "")]
    public void Decorations(uint flags, string expected) => Emit(flags).Should().Be(expected);

    [Test]
    public void Interrupt_ReplacesThePid() => Emit(T | L, intr: true).Should().Be("<intr> 19: ");

    [Test]
    public void SourceName_OnlyWithTheLaterLetters() =>
        Emit(M | S | L, letters: FlagLetters.WithSourceName).Should().Be("alpha:drivers/alpha.c:19: ");

    [Test]
    public void LongNames_AreCutAt63Bytes()
    {
        var function = new string('f', 70);
        var prefix = Emit(M | F | L, function);
        prefix.Should().HaveLength(MessagePrefix.Size - 1);
        prefix.Should().Be(("alpha:" + function)[..63]);
        Emit(M | F, new string('f', 55)).Should().Be("alpha:" + new string('f', 55) + ": ", "62 bytes fit");
        Emit(M | F, new string('f', 56)).Should().Be("alpha:" + new string('f', 56) + ":", "64 bytes lose the last");
    }
}
