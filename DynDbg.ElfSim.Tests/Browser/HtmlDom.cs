using System.Net;
using System.Text.RegularExpressions;

namespace DynDbg.ElfSim.Tests.Browser;

/// <summary>
/// Reads the elements of a DOM that Chromium serialised (<c>--dump-dom</c>): start tags with their attributes,
/// filtered by tag and class. Chromium writes every attribute as <c>name="value"</c>, so a regular expression
/// reads them exactly; no HTML parser is needed for what the tests look at.
/// </summary>
public static partial class HtmlDom
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Elements(string dom, string tag, string? cls = null) =>
        StartTag().Matches(dom).Where(m => m.Groups[1].Value == tag)
            .Select(m => (IReadOnlyDictionary<string, string>)Attribute().Matches(m.Groups[2].Value)
                .ToDictionary(a => a.Groups[1].Value, a => WebUtility.HtmlDecode(a.Groups[2].Value)))
            .Where(a => cls is null || (a.TryGetValue("class", out var c) && cls.Split(' ').All(c.Split(' ').Contains)))
            .ToArray();

    /// <summary>The part of the DOM from <paramref name="from"/> up to <paramref name="to"/> (or the end).</summary>
    public static string Slice(string dom, string from, string? to = null)
    {
        var a = dom.IndexOf(from, StringComparison.Ordinal);
        a.Should().BeGreaterThanOrEqualTo(0, "the DOM has {0}", from);
        var b = to is null ? -1 : dom.IndexOf(to, a + from.Length, StringComparison.Ordinal);
        return b < 0 ? dom[a..] : dom[a..b];
    }

    /// <summary>The text of the element with this id (tags inside it dropped).</summary>
    public static string TextOf(string dom, string id)
    {
        var m = Regex.Match(dom, $"<(\\w+)[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>(.*?)</\\1>", RegexOptions.Singleline);
        m.Success.Should().BeTrue("the DOM has #{0}", id);
        return WebUtility.HtmlDecode(Regex.Replace(m.Groups[2].Value, "<[^>]*>", ""));
    }

    [GeneratedRegex("<([a-zA-Z][\\w-]*)((?:\\s+[^\\s=>/]+(?:=\"[^\"]*\")?)*)\\s*/?>")]
    private static partial Regex StartTag();

    [GeneratedRegex("([^\\s=>/]+)(?:=\"([^\"]*)\")?")]
    private static partial Regex Attribute();
}
