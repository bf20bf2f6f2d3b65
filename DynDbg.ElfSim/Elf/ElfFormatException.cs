namespace DynDbg.ElfSim.Elf;

/// <summary>
/// The one exception type for input we cannot read: malformed ELF, an undecidable dyndbg layout, bad usage of a
/// file. It carries a stable ID (see <see cref="ErrorIds"/>), the file, the structure and entry it concerns and
/// the byte offset where the problem applies, so the CLI can print it as one line and exit 2.
/// </summary>
public sealed class ElfFormatException : Exception
{
    public ElfFormatException(string id, string file, string where, ulong? offset, string message)
        : base(message)
    {
        Id = id;
        File = file;
        Where = where;
        Offset = offset;
    }

    /// <summary>Stable ID such as <c>ELF012</c> or <c>DYN004</c>.</summary>
    public string Id { get; }

    public string File { get; }

    /// <summary>The structure and entry index, e.g. <c>section [7] '__dyndbg'</c> or <c>ELF header</c>.</summary>
    public string Where { get; }

    /// <summary>File offset the problem applies to, when there is one.</summary>
    public ulong? Offset { get; }

    /// <summary>One line, elflint/compiler style: <c>FILE: error ID: WHERE, offset 0xN: MESSAGE</c>. Script errors
    /// carry <c>file:line:column</c> as FILE and no WHERE: <c>module.lds:3:7: error LNK001: syntax error ...</c>.</summary>
    public string OneLine =>
        Offset is { } off
            ? $"{File}: error {Id}: {Where}, offset 0x{off:x}: {Message}"
            : Where.Length == 0
                ? $"{File}: error {Id}: {Message}"
                : $"{File}: error {Id}: {Where}: {Message}";

    public override string ToString() => OneLine;
}
