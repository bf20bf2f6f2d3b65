namespace DynDbg.ElfSim.Control;

/// <summary>
/// 6.1 <c>struct ddebug_query</c>: each match-spec as the bytes of its C string (null when not given) and the line
/// range, 0 meaning "don't care" at either end (reference §3.3; invariant 30).
/// </summary>
public sealed record ControlQuery
{
    public byte[]? Filename { get; init; }
    public byte[]? Module { get; init; }
    public byte[]? Function { get; init; }
    public byte[]? Format { get; init; }
    public byte[]? ClassString { get; init; }
    public uint FirstLineno { get; init; }
    public uint LastLineno { get; init; }
}
