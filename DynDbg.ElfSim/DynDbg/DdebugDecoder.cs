using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>Decodes every record of a region with a given layout (reference §1.1; invariants 1, 2, 20).</summary>
public static class DdebugDecoder
{
    public static DdebugRecord[] Decode(ElfMemory memory, DdebugRegion region, DdebugLayout layout)
    {
        var file = memory.File;
        var size = (ulong)layout.RecordSize;
        if (region.Size % size != 0)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, file.Path, region.Origin, region.FileOffset,
                $"size {region.Size} is not a whole number of {size}-byte records ({layout.Name})");
        }

        var count = (int)(region.Size / size);
        var records = new DdebugRecord[count];
        var sec = region.Section;
        for (var i = 0; i < count; i++)
        {
            var at = region.Start + ((ulong)i * size);
            // Where an error is, built only when one is raised: decoding a whole table formats no strings for it.
            var modWhere = ElfWhere.Record(i, region.Origin, "modname");
            var fnWhere = ElfWhere.Record(i, region.Origin, "function");
            var fileWhere = ElfWhere.Record(i, region.Origin, "filename");
            var fmtWhere = ElfWhere.Record(i, region.Origin, "format");
            var mod = Pointer(memory, sec, at + (ulong)layout.ModnameOffset, modWhere, "modname");
            var fn = Pointer(memory, sec, at + (ulong)layout.FunctionOffset, fnWhere, "function");
            var file_ = Pointer(memory, sec, at + (ulong)layout.FilenameOffset, fileWhere, "filename");
            var fmt = Pointer(memory, sec, at + (ulong)layout.FormatOffset, fmtWhere, "format");
            var unit = memory.ReadU32(sec, at + (ulong)layout.BitfieldOffset);
            int keyEnabled = -1;
            ulong keyType = 0;
            if (layout.KeyOffset >= 0)
            {
                keyEnabled = (int)memory.ReadU32(sec, at + (ulong)layout.KeyOffset);
                keyType = memory.ReadWord(sec, at + (ulong)layout.KeyOffset + (ulong)layout.PointerSize, layout.PointerSize);
            }

            records[i] = new DdebugRecord(i, sec.Offset + at,
                memory.ReadString(mod, modWhere), memory.ReadString(fn, fnWhere),
                memory.ReadString(file_, fileWhere), memory.ReadString(fmt, fmtWhere),
                layout.LineNo.Get(unit), layout.ClassId is { } c ? (int)c.Get(unit) : -1, layout.Flags.Get(unit),
                keyEnabled, keyType, mod, fn, file_, fmt);
        }

        return records;
    }

    private static ElfLocation Pointer(ElfMemory memory, ElfSection sec, ulong offset, ElfWhere who, string field) =>
        memory.ReadPointer(sec, offset, who) ??
        throw new ElfFormatException(ErrorIds.UnresolvedPointer, memory.File.Path, who.ToString(), sec.Offset + offset,
            $"{field} pointer is NULL (no relocation and no value); the kernel would dereference it");
}
