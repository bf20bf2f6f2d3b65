namespace DynDbg.ElfSim.Diagnostics;

/// <summary>
/// What every layer raises for input it cannot take: a stable ID, the file, the structure and entry it concerns
/// and the byte offset where the problem applies, so the CLI prints it as one line and exits 2. Each layer has
/// its own subtype and its own IDs (ELF reading, dyndbg decoding, linking, usage); the line is the same for all.
/// </summary>
public abstract class DiagnosticException : Exception
{
    private protected DiagnosticException(string id, string file, string where, ulong? offset, string message)
        : base(message)
    {
        Id = id;
        File = file;
        Where = where;
        Offset = offset;
    }

    /// <summary>Stable ID such as <c>ELF012</c>, <c>DYN004</c>, <c>LNK001</c> or <c>USG001</c>.</summary>
    public string Id { get; }

    public string File { get; }

    /// <summary>The structure and entry index, e.g. <c>section [7] '__dyndbg'</c> or <c>ELF header</c>.</summary>
    public string Where { get; }

    /// <summary>File offset the problem applies to, when there is one.</summary>
    public ulong? Offset { get; }

    /// <summary>One line, elflint/compiler style: <c>FILE: error ID: WHERE, offset 0xN: MESSAGE</c>. Script errors
    /// carry <c>file:line:column</c> as FILE and no WHERE: <c>module.lds:3:7: error LNK001: syntax error ...</c>.
    /// </summary>
    /// <remarks>
    /// Names read from the input (a section or symbol name, a script's text) may hold control characters; they are
    /// shown in readelf's caret notation (<c>^J</c> for a newline, <c>^?</c> for DEL), so the line stays one line.
    /// </remarks>
    public string OneLine => Printable(
        Offset is { } off
            ? $"{File}: error {Id}: {Where}, offset 0x{off:x}: {Message}"
            : Where.Length == 0
                ? $"{File}: error {Id}: {Message}"
                : $"{File}: error {Id}: {Where}: {Message}");

    /// <summary><paramref name="text"/> with every C0 control character and DEL in caret notation (readelf's
    /// <c>print_symbol</c>); other text as it is.</summary>
    public static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\x1f') && !text.Contains('\x7f', StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c < 0x20 || c == 0x7f)
            {
                sb.Append('^').Append((char)(c ^ 0x40));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>The same error with more said after its message (e.g. what the command would do instead).</summary>
    public abstract DiagnosticException WithHint(string hint);

    public override string ToString() => OneLine;
}
