using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Compression.Zram;

/// <summary>
/// Real bytes to write to zram, from Debian's kernels (fetch-real.sh): a table's records exactly as they sit in the
/// file (a vmlinux from __start___dyndbg to __stop___dyndbg, a .ko's __dyndbg section as stored), and the v5 site
/// columns of the same records (<see cref="SiteTable.ToBytes"/>: modname, filename, function per record, run-time
/// pointer values).
/// </summary>
public static class ZramRealBlobs
{
    public sealed record Named(string Name, byte[] Bytes);

    /// <summary>The records and the site columns of one file; nothing for a file without records.</summary>
    public static IEnumerable<Named> Of(string path, string name)
    {
        using var f = ElfFile.Open(path);
        var image = MainlineImage.Load(f);
        if (image.Records.Count == 0 || image.Region is not { } region || region.Section.IsNoBits)
        {
            return [];
        }

        return
        [
            new Named($"{name} records", f.GetBytes(region.FileOffset, region.Size).ToArray()),
            new Named($"{name} v5 sites", SiteTable.From(f, image).ToBytes()),
        ];
    }

    /// <summary>Every <paramref name="every"/>th module of <paramref name="arch"/>'s tree that has records (by path), at most <paramref name="max"/>.</summary>
    public static IEnumerable<Named> Modules(string arch, int every, int max)
    {
        var tree = Real.RealInputs.Arch(arch);
        var n = 0;
        var taken = 0;
        foreach (var ko in tree.ModuleFiles())
        {
            var blobs = Of(ko, $"{arch}:{tree.Relative(ko)}").ToList();
            if (blobs.Count == 0 || n++ % every != 0)
            {
                continue;
            }

            foreach (var b in blobs)
            {
                yield return b;
            }

            if (++taken == max)
            {
                yield break;
            }
        }
    }
}
