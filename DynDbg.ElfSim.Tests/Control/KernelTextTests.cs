using System.Text;
using DynDbg.ElfSim.Control;

namespace DynDbg.ElfSim.Tests.Control;

/// <summary>The lib/ helpers the control file relies on, quirks included (reference §3.3).</summary>
[TestFixture]
public class KernelTextTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [TestCase("alpha", "alpha", true)]
    [TestCase("alph*", "alpha", true)]
    [TestCase("*", "", true)]
    [TestCase("", "", true)]
    [TestCase("*a", "alpha", true)]
    [TestCase("?lpha", "alpha", true)]
    [TestCase("a?", "a", false)]
    [TestCase("a*a", "alpha", true)]
    [TestCase("*pha*", "alpha", true)]
    [TestCase("alpha*", "alpha", true)]
    [TestCase("alpha**", "alpha", false)] // only one trailing '*' is skipped once the string is used up
    [TestCase("**pha", "alpha", true)]
    [TestCase("al*z", "alpha", false)]
    [TestCase("ALPHA", "alpha", false)]
    public void MatchWildcard_IsLibParserExactly(string pattern, string str, bool expected) =>
        KernelText.MatchWildcard(B(pattern), B(str)).Should().Be(expected);

    [TestCase(@"a\nb", "a\nb")]
    [TestCase(@"\t\r\v\f", "\t\r\v\f")]
    [TestCase(@"\011x", "\tx")]
    [TestCase(@"\12", "\n")]
    [TestCase(@"\777", "?7")] // u8 num; the loop stops once num reaches 32
    [TestCase(@"\1234", "S4")]
    [TestCase(@"a\0b", "a")]
    [TestCase(@"\""\\\a\e", "\"\\\a\x1b")]
    [TestCase(@"\x41", @"\x41")] // UNESCAPE_HEX is not among dyndbg's flags
    [TestCase(@"\q", @"\q")]
    [TestCase(@"end\", @"end\")]
    public void UnescapeInPlace_WithDyndbgFlags(string input, string expected)
    {
        var buf = B(input);
        var n = KernelText.UnescapeInPlace(buf, KernelText.UnescapeSpace | KernelText.UnescapeOctal | KernelText.UnescapeSpecial);
        Encoding.Latin1.GetString(KernelText.CString(buf.AsSpan(0, n))).Should().Be(expected);
    }

    [Test]
    public void UnescapeInPlace_HexWhenAsked() =>
        KernelText.UnescapeInPlace(B(@"\x41\x4g\xz"), KernelText.UnescapeHex).Should().Be(6, "A, \\x4 → 0x04, g, \\x, z");

    [TestCase("19", 0, 19u)]
    [TestCase("+19", 0, 19u)]
    [TestCase("19\n", 0, 19u)]
    [TestCase("4294967295", 0, uint.MaxValue)]
    [TestCase("4294967296", -Errno.ERANGE, 0u)]
    [TestCase("99999999999999999999", -Errno.ERANGE, 0u)]
    [TestCase("", -Errno.EINVAL, 0u)]
    [TestCase("+", -Errno.EINVAL, 0u)]
    [TestCase("19x", -Errno.EINVAL, 0u)]
    [TestCase("-1", -Errno.EINVAL, 0u)]
    [TestCase("0x10", -Errno.EINVAL, 0u)] // base 10: no radix prefix
    public void KStrToUInt_Base10(string s, int rc, uint value)
    {
        KernelText.KStrToUInt(B(s), out var v).Should().Be(rc);
        v.Should().Be(value);
    }

    [Test]
    public void CType_IsLatin1LikeTheKernelTable()
    {
        KernelCType.IsSpace(0xa0).Should().BeTrue("lib/ctype.c marks 160 _S|_SP");
        KernelCType.IsSpace(0x0b).Should().BeTrue();
        KernelCType.IsSpace(0x85).Should().BeFalse();
        KernelCType.IsAlpha(0xc9).Should().BeTrue("É is _U in the kernel's ISO-8859-1 table");
        KernelCType.IsAlpha(0xd7).Should().BeFalse("× is _P");
        KernelCType.IsAlpha(0xf7).Should().BeFalse("÷ is _P");
        KernelCType.IsAlpha(0xdf).Should().BeTrue("ß is _L");
        KernelCType.IsAlpha((byte)'_').Should().BeFalse();
        Enumerable.Range(0, 256).Count(c => KernelCType.IsSpace((byte)c)).Should().Be(7);
        Enumerable.Range(0, 256).Count(c => KernelCType.IsAlpha((byte)c)).Should().Be(52 + 62);
    }

    [Test]
    public void StrStrAndBasename()
    {
        KernelText.StrStr(B("dequeue %s"), B("queue")).Should().Be(2);
        KernelText.StrStr(B("abc"), B("")).Should().Be(0);
        KernelText.StrStr(B("abc"), B("d")).Should().Be(-1);
        Encoding.ASCII.GetString(KernelText.Basename(B("net/bluetooth/bnep/core.c"))).Should().Be("core.c");
        Encoding.ASCII.GetString(KernelText.Basename(B("core.c"))).Should().Be("core.c");
    }
}
