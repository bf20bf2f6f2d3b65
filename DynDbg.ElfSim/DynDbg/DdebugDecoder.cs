using System.Collections;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>Decodes every record of a region with a given layout (reference §1.1; invariants 1, 2, 20).</summary>
public static class DdebugDecoder
{
    /// <summary>
    /// Eager (the default): every record decoded now, strings through the memory's shared cache, so the list
    /// outlives the file. Lazy: every record is checked now (a bad pointer or string is an error at load, naming the
    /// record and field) and the list is a view that decodes record i from <paramref name="memory"/> when asked;
    /// nothing per record is kept, so memory does not grow with the record count (issue 14), and the file must stay
    /// open while the view is used. Both raise the first error in the same order: four pointers, then their strings.
    /// </summary>
    public static IReadOnlyList<DdebugRecord> Decode(ElfMemory memory, DdebugRegion region, DdebugLayout layout, bool lazy = false)
    {
        var size = (ulong)layout.RecordSize;
        if (region.Size % size != 0)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, memory.File.Path, region.Origin, region.FileOffset,
                $"size {region.Size} is not a whole number of {size}-byte records ({layout.Name})");
        }

        var view = new RecordView(memory, region, layout, (int)(region.Size / size));
        if (lazy)
        {
            for (var i = 0; i < view.Count; i++)
            {
                view.Check(i);
            }

            return view;
        }

        var records = new DdebugRecord[view.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = view.Read(i);
            records[i].KeepStrings();
        }

        return records;
    }

    private sealed class RecordView(ElfMemory memory, DdebugRegion region, DdebugLayout layout, int count) : IReadOnlyList<DdebugRecord>
    {
        public int Count => count;

        // The last record handed out: callers that look at [i] and then [i] again (or compare with [i - 1], which
        // was [i] a step before) decode it once. One reference swap, so concurrent readers stay correct.
        private Slot? _last;

        public DdebugRecord this[int index]
        {
            get
            {
                if ((uint)index >= (uint)count)
                {
                    throw new ArgumentOutOfRangeException(nameof(index));
                }

                if (_last is { } s && s.Index == index)
                {
                    return s.Record;
                }

                var r = Read(index);
                _last = new Slot(index, r);
                return r;
            }
        }

        private sealed record Slot(int Index, DdebugRecord Record);

        public IEnumerator<DdebugRecord> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return Read(i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>What decoding record <paramref name="i"/> would raise, without keeping anything.</summary>
        public void Check(int i)
        {
            // all four pointers first, then their strings: the order the first error is found in stays the kernel's
            // (and the eager decoder's before this view)
            var r = Read(i);
            memory.CheckString(r.ModnameAt, ElfWhere.Record(i, region.Origin, "modname"));
            memory.CheckString(r.FunctionAt, ElfWhere.Record(i, region.Origin, "function"));
            memory.CheckString(r.FilenameAt, ElfWhere.Record(i, region.Origin, "filename"));
            memory.CheckString(r.FormatAt, ElfWhere.Record(i, region.Origin, "format"));
        }

        private ulong At(int i) => region.Start + ((ulong)i * (ulong)layout.RecordSize);

        public DdebugRecord Read(int i)
        {
            var sec = region.Section;
            var at = At(i);
            var mod = Pointer(at + (ulong)layout.ModnameOffset, ElfWhere.Record(i, region.Origin, "modname"), "modname");
            var fn = Pointer(at + (ulong)layout.FunctionOffset, ElfWhere.Record(i, region.Origin, "function"), "function");
            var file = Pointer(at + (ulong)layout.FilenameOffset, ElfWhere.Record(i, region.Origin, "filename"), "filename");
            var fmt = Pointer(at + (ulong)layout.FormatOffset, ElfWhere.Record(i, region.Origin, "format"), "format");
            var unit = memory.ReadU32(sec, at + (ulong)layout.BitfieldOffset);
            int keyEnabled = -1;
            ulong keyType = 0;
            if (layout.KeyOffset >= 0)
            {
                keyEnabled = (int)memory.ReadU32(sec, at + (ulong)layout.KeyOffset);
                keyType = memory.ReadWord(sec, at + (ulong)layout.KeyOffset + (ulong)layout.PointerSize, layout.PointerSize);
            }

            return new DdebugRecord(memory, region.Origin, i, sec.Offset + at,
                layout.LineNo.Get(unit), layout.ClassId is { } c ? (int)c.Get(unit) : -1, layout.Flags.Get(unit),
                keyEnabled, keyType, mod, fn, file, fmt);
        }

        private ElfLocation Pointer(ulong offset, ElfWhere who, string field) =>
            memory.ReadPointer(region.Section, offset, who) ??
            throw new ElfFormatException(ErrorIds.UnresolvedPointer, memory.File.Path, who.ToString(), region.Section.Offset + offset,
                $"{field} pointer is NULL (no relocation and no value); the kernel would dereference it");
    }
}
