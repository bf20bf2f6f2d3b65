using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// Site tables made in code: kernel-like ones (module, file and function runs with small address steps, as the
/// linker lays strings out) and hostile ones (random 64-bit values, extremes), from a fixed seed.
/// </summary>
public static class SyntheticSites
{
    public static SiteTable KernelLike(int count, int pointerSize = 8, int seed = 1, bool bigEndian = false)
    {
        var random = new Random(seed);
        var top = pointerSize == 8 ? 0xffffffff82000000UL : 0xc1000000UL;
        var sites = new Site[count];
        ulong mod = top + 0x300000, file = top + 0x320000, fn = top + 0x1000;
        for (var i = 0; i < count; i++)
        {
            if (i == 0 || random.Next(8) == 0)
            {
                mod = random.Next(3) == 0 ? top + 0x300000 + (ulong)random.Next(0x8000) : file + (ulong)random.Next(-40, 40);
            }

            if (i == 0 || random.Next(5) == 0)
            {
                file += (ulong)random.Next(20, 90);
            }

            if (i == 0 || random.Next(3) != 0)
            {
                fn = (ulong)((long)fn + random.Next(-64, 400));
            }

            sites[i] = new Site(mod, file, fn);
        }

        return SiteTable.Create($"kernel-like-{count}", pointerSize, bigEndian, ImageKind.BuiltIn, sites, anchor: top + 0xc16088);
    }

    /// <summary>Uniformly random values (no runs at all unless <paramref name="runs"/>), the worst case for every store.</summary>
    public static SiteTable Random64(int count, int seed, bool runs = false, int pointerSize = 8)
    {
        var random = new Random(seed);
        ulong Next() => pointerSize == 8 ? (ulong)random.NextInt64() * 2 + (ulong)random.Next(2) : (uint)random.NextInt64(0, 1L << 32);
        var sites = new Site[count];
        for (var i = 0; i < count; i++)
        {
            sites[i] = runs && i > 0 && random.Next(2) == 0 ? sites[i - 1] with { Function = Next() } : new Site(Next(), Next(), Next());
        }

        return SiteTable.Create($"random-{seed}", pointerSize, false, ImageKind.Module, sites, anchor: Next());
    }

    /// <summary>Values at the edges of the 64-bit space and deltas that wrap around.</summary>
    public static SiteTable Extremes() => SiteTable.Create("extremes", 8, false, ImageKind.BuiltIn,
    [
        new(0, 0, 0),
        new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue),
        new(0, ulong.MaxValue, 1),
        new(long.MaxValue, 0x8000000000000000, 0x8000000000000001),
        new(long.MaxValue, 0x8000000000000000, 0x8000000000000001),
        new(1, 2, 3),
    ], anchor: 0x8000000000000000);
}
