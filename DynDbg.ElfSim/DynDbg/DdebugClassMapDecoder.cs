using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Decodes 6.1 <c>__dyndbg_classes</c>: <c>struct ddebug_class_map { list_head link; struct module *mod;
/// const char *mod_name; const char **class_names; const int length; const int base; enum map_type; }</c>
/// (56 bytes on LP64, 32 on ILP32; reference §1.2).
/// </summary>
public static class DdebugClassMapDecoder
{
    public static IReadOnlyList<DdebugClassMap> Decode(ElfMemory memory)
    {
        var file = memory.File;
        var region = DdebugRegionLocator.Find(file, "__dyndbg_classes");
        if (region is null || region.Size == 0)
        {
            return [];
        }

        var p = file.PointerSize;
        var size = (ulong)(p == 8 ? 56 : 32);
        if (region.Size % size != 0)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, file.Path, region.Origin, region.FileOffset,
                $"size {region.Size} is not a whole number of {size}-byte struct ddebug_class_map");
        }

        var maps = new List<DdebugClassMap>();
        for (var i = 0; (ulong)i < region.Size / size; i++)
        {
            var at = region.Start + ((ulong)i * size);
            var who = $"class map {i} of {region.Origin}";
            var modName = memory.ReadPointer(region.Section, at + (ulong)(3 * p), $"{who}, mod_name");
            var names = memory.ReadPointer(region.Section, at + (ulong)(4 * p), $"{who}, class_names");
            var length = (int)memory.ReadU32(region.Section, at + (ulong)(5 * p));
            var @base = (int)memory.ReadU32(region.Section, at + (ulong)(5 * p) + 4);
            var type = (int)memory.ReadU32(region.Section, at + (ulong)(5 * p) + 8);
            if (length is < 0 or > 64 || @base is < 0 or > 63 || @base + length > 64)
            {
                throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, file.Path, who, region.Section.Offset + at,
                    $"base {@base} + length {length} is outside the 6-bit class id space (0..63)");
            }

            var classNames = new List<string>(length);
            if (names is { } n)
            {
                var arraySec = file.Sections[n.Section];
                // 6.1 looks names up with match_string(), which stops at the first NULL entry.
                for (var k = 0; k < length; k++)
                {
                    var np = memory.ReadPointer(arraySec, n.Offset + (ulong)(k * p), $"{who}, class_names[{k}]");
                    if (np is not { } s)
                    {
                        break;
                    }

                    classNames.Add(memory.ReadString(s, $"{who}, class_names[{k}]"));
                }
            }

            maps.Add(new DdebugClassMap(i, modName is { } m ? memory.ReadString(m, $"{who}, mod_name") : "", classNames, @base, type));
        }

        return maps;
    }
}
