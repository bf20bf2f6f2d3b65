using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>One input relocation section's share of an output relocation table: what converting its entries needs
/// (<see cref="RelocationCollector.Convert"/>), so that they are converted when written instead of kept.</summary>
internal sealed class RelocationRun(InputObject file, InputSection section, ElfSection relocations, ElfRelocationTable table,
    int[] localIndex, long gpDelta, ulong pointerSize)
{
    public InputObject File { get; } = file;
    public InputSection Section { get; } = section;
    public ElfSection Relocations { get; } = relocations;
    public ElfRelocationTable Table { get; } = table;

    /// <summary>The file's output index of each local symbol (0: not output yet), as <c>EmitLocals</c> made it.</summary>
    public int[] LocalIndex { get; } = localIndex;

    public long GpDelta { get; } = gpDelta;

    /// <summary>The entry's offset in the output section (ld writes SEC_ELF_REVERSE_COPY sections pointer by pointer
    /// from the end).</summary>
    public ulong OffsetOf(in ElfRelocation r) =>
        (Section.ReverseCopy ? Section.Size - pointerSize - r.Offset : r.Offset) + Section.OutputOffset;
}
