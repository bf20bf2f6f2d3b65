using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The odd-pointer counts by another path than <c>OddPointerTest</c>'s (decoded record locations + section bases):
/// the module loader emulation loads the object and its architecture's relocator writes the pointers into the
/// <c>__dyndbg</c> bytes; the four pointer words of every record are then read back from those bytes.
/// </summary>
public static class LoadedPointerParity
{
    /// <summary>Per field (modname, function, filename, format) the records whose loaded pointer is odd, then the records with any.</summary>
    public static (int[] ByField, int Any, int Records) Count(ElfFile file, int recordSize)
    {
        var odd = Parities(file, recordSize);
        var records = odd.GetLength(0);
        var byField = new int[4];
        var any = 0;
        for (var i = 0; i < records; i++)
        {
            var one = false;
            for (var f = 0; f < 4; f++)
            {
                if (odd[i, f])
                {
                    byField[f]++;
                    one = true;
                }
            }

            any += one ? 1 : 0;
        }

        return (byField, any, records);
    }

    /// <summary>Per record and field: whether the loaded pointer is odd.</summary>
    public static bool[,] Parities(ElfFile file, int recordSize)
    {
        var bytes = Bytes(file);
        var p = file.PointerSize;
        var e = file.Endian;
        var records = bytes.Length / recordSize;
        var odd = new bool[records, 4];
        for (var i = 0; i < records; i++)
        {
            for (var f = 0; f < 4; f++)
            {
                odd[i, f] = (e.Word(bytes.AsSpan((i * recordSize) + (f * p), p), p) & 1) != 0;
            }
        }

        return odd;
    }

    /// <summary>The loaded, relocated <c>__dyndbg</c>.</summary>
    public static byte[] Bytes(ElfFile file)
    {
        var layout = ModuleLoader.Layout(file, strict: false);
        var p = file.PointerSize;
        var core = p == 8 ? 0xffffffffc0000000UL : 0xbf000000UL;
        var init = core + ((layout.CoreSize + 4095) / 4096 * 4096) + 4096;
        var loaded = LoadedModule.Load(file, layout, core, init);
        var section = layout.Find("__dyndbg") ?? throw new InvalidOperationException($"{file.Path}: the loader placed no __dyndbg");
        return loaded.Bytes(section.Index).ToArray();
    }
}
