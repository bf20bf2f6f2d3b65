namespace DynDbg.ElfSim.Linking;

/// <summary>
/// Keeps the mapped inputs' pages from piling up in the link's resident set while the output is streamed from them.
/// ld.bfd reads what it needs into buffers it frees; a mapping keeps every page it has touched resident until it is
/// unmapped, and the link touches nearly all of each input twice (parsing, then copying contents and relocations out),
/// so the real x86_64 vmlinux.o link held its whole 10.8 MB input at the peak. The pages read while parsing are let go
/// of when the write starts, and the rest each time about <see cref="Budget"/> bytes have been written since; a page
/// read again is a minor fault from the page cache.
/// </summary>
internal sealed class InputPageBudget(IReadOnlyList<InputObject> inputs)
{
    /// <summary>Bytes written between two releases: the inputs' resident pages stay near this size, and a release
    /// (one madvise per input, about 0.1 ms for the 10.8 MB vmlinux.o) comes no more often than once per this many
    /// bytes. 256 KB rather than 512 took 0.35 MB off the one-object link's peak (11.4 to 11.1 MB, ld.bfd 11.6) and
    /// left the vmlinux.o link's time level (36 releases instead of 18).</summary>
    public const ulong Budget = 256 << 10;

    private ulong _written = Budget; // what parsing touched counts as over budget: let go of before the first section

    /// <summary>For <see cref="Elf.ElfWriter.SectionWritten"/>.</summary>
    public void Written(ulong bytes)
    {
        _written += bytes;
        if (_written < Budget)
        {
            return;
        }

        _written = 0;
        Release(inputs);
    }

    /// <summary>Lets go of the pages of every input read so far (a link stage is done with them).</summary>
    public static void Release(IReadOnlyList<InputObject> inputs)
    {
        foreach (var input in inputs)
        {
            input.Elf.ReleaseResidentPages();
        }
    }
}
