using System.Globalization;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// A small HTML/SVG writer: every text and attribute value is escaped on the way out, markup comes only from the
/// element and attribute names the renderer passes as constants. No templates, no reflection (native AOT).
/// </summary>
public sealed class HtmlWriter(TextWriter w)
{
    public TextWriter Inner => w;

    /// <summary><c>&lt;tag</c>: attributes follow with <see cref="Attr(string, string?)"/>, then <see cref="End"/> or <see cref="EndEmpty"/>.</summary>
    public HtmlWriter Start(string tag)
    {
        w.Write('<');
        w.Write(tag);
        return this;
    }

    /// <summary>An attribute; a null value writes nothing.</summary>
    public HtmlWriter Attr(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        w.Write(' ');
        w.Write(name);
        w.Write("=\"");
        Escape(value);
        w.Write('"');
        return this;
    }

    public HtmlWriter Attr(string name, long value) => Attr(name, value.ToString(CultureInfo.InvariantCulture));

    public HtmlWriter Attr(string name, ulong value) => Attr(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A pixel or SVG user-unit number, with one decimal at most.</summary>
    public HtmlWriter Attr(string name, double value) => Attr(name, Math.Round(value, 1).ToString(CultureInfo.InvariantCulture));

    public HtmlWriter End()
    {
        w.Write('>');
        return this;
    }

    public HtmlWriter EndEmpty()
    {
        w.Write("/>");
        return this;
    }

    public HtmlWriter Close(string tag)
    {
        w.Write("</");
        w.Write(tag);
        w.Write('>');
        return this;
    }

    /// <summary><c>&lt;tag class=..&gt;text&lt;/tag&gt;</c>.</summary>
    public HtmlWriter Element(string tag, string? cls, string text)
    {
        Start(tag).Attr("class", cls).End();
        Text(text);
        return Close(tag);
    }

    public HtmlWriter Text(string text)
    {
        Escape(text);
        return this;
    }

    /// <summary>Markup the renderer wrote itself (the style sheet, the script, constant fragments): not escaped.</summary>
    public HtmlWriter Raw(string markup)
    {
        w.Write(markup);
        return this;
    }

    public HtmlWriter Line()
    {
        w.Write('\n');
        return this;
    }

    private void Escape(string s)
    {
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var rep = s[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            };
            if (rep is not null)
            {
                w.Write(s.AsSpan(start, i - start));
                w.Write(rep);
                start = i + 1;
            }
        }

        w.Write(s.AsSpan(start));
    }
}
