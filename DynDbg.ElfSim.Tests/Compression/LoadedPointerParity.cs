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
        var layout = ModuleLoader.Layout(file, strict: false);
        var p = file.PointerSize;
        var core = p == 8 ? 0xffffffffc0000000UL : 0xbf000000UL;
        var init = core + ((layout.CoreSize + 4095) / 4096 * 4096) + 4096;
        var loaded = LoadedModule.Load(file, layout, core, init);
        var section = layout.Find("__dyndbg") ?? throw new InvalidOperationException($"{file.Path}: the loader placed no __dyndbg");
        var bytes = loaded.Bytes(section.Index);
        var e = file.Endian;
        var byField = new int[4];
        var any = 0;
        var records = bytes.Length / recordSize;
        for (var i = 0; i < records; i++)
        {
            var odd = false;
            for (var f = 0; f < 4; f++)
            {
                if ((e.Word(bytes.Slice((i * recordSize) + (f * p), p), p) & 1) != 0)
                {
                    byField[f]++;
                    odd = true;
                }
            }

            any += odd ? 1 : 0;
        }

        return (byField, any, records);
    }
}
