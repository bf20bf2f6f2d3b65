namespace DynDbg.ElfSim.Linking;

/// <summary>
/// An input section whose contents a bfd backend rewrites before it is copied (bfd's sec_info with a rawsize):
/// its new size, where its relocations and symbols land, and the rewritten bytes.
/// </summary>
internal abstract class SectionEdit
{
    /// <summary>The size in the input (bfd's rawsize).</summary>
    public abstract ulong RawSize { get; }

    /// <summary>The size after the edit.</summary>
    public abstract ulong Size { get; }

    /// <summary>Where a relocation at an input offset goes; null when its part was removed (ld then writes R_*_NONE
    /// at the previous relocation's offset).</summary>
    public virtual ulong? MapOffset(ulong offset) => offset;

    /// <summary>Where a symbol defined at an input offset goes.</summary>
    public virtual ulong AdjustSymbol(ulong value) => value;

    /// <summary>What the backend did, in a line for <c>explain</c>.</summary>
    public abstract string Describe();

    /// <summary>Writes the edited bytes (<paramref name="output"/> is <see cref="Size"/> long) from the input's
    /// (already relocated for <c>ld -r</c>: REL addends rebased).</summary>
    public abstract void Write(ReadOnlySpan<byte> input, Span<byte> output, bool bigEndian);
}
