namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Seeded, deterministic call sites shaped like a distro kernel's. The run lengths follow Debian 6.1's amd64
/// vmlinux (README / docs/compression.md: 86.8% of modnames, 81.9% of filenames, 38.6% of functions equal the
/// previous record's): a file ends after a call site with probability 0.181, a module after a file with
/// 0.132 / 0.181, a function within a file with 1 - 0.386 / 0.819. Names look like kernel ones (drivers/net/foo/foo_main.c,
/// foo_probe), formats carry %d/%s/..., line numbers ascend per file. Units are produced lazily, one file at a
/// time, so a million call sites never exist at once. Same seed, same output.
/// </summary>
public sealed class SynthGenerator
{
    private const double FileEnd = 1 - 0.819;
    private const double ModuleEndPerFile = (1 - 0.868) / (1 - 0.819);
    // A new file always starts a new function, so within a file the function changes with 1 - 0.386 / 0.819.
    private const double FunctionEnd = 1 - (0.386 / 0.819);

    private static readonly string[] Dirs =
    [
        "drivers/net/ethernet", "drivers/net/wireless", "drivers/gpu/drm", "drivers/usb/core", "drivers/usb/host",
        "drivers/scsi", "drivers/block", "drivers/input", "drivers/hid", "drivers/i2c/busses", "drivers/media/usb",
        "drivers/platform/x86", "drivers/power/supply", "drivers/md", "sound/pci", "sound/soc/codecs", "fs",
        "net/ipv4", "net/ipv6", "net/bluetooth", "net/sunrpc", "kernel", "mm", "lib", "crypto", "security",
    ];

    private static readonly string[] Syllables =
    [
        "ath", "bnx", "cx", "dw", "e1", "fm", "gp", "hd", "igb", "jz", "ks", "lp", "mt", "nv", "ov", "pc", "qla", "rt",
        "sd", "tg", "uv", "vi", "wm", "xe", "yam", "zr", "snd", "usb", "i2c", "mmc", "nfs", "ext", "btr", "xfs", "tun",
    ];

    private static readonly string[] FileSuffixes = ["main", "core", "ops", "hw", "phy", "dev", "proto", "debugfs", "irq", "dma", "pm", "util"];
    private static readonly string[] Verbs = ["probe", "remove", "init", "reset", "open", "close", "xmit", "poll", "read", "write", "get", "set", "update", "alloc", "free", "handle"];
    private static readonly string[] Nouns = ["queue", "ring", "irq", "link", "port", "buffer", "state", "config", "fw", "reg", "desc", "stats", "clock", "power", "mode", "channel"];

    private static readonly string[] Formats =
    [
        "{0} {1} failed: %d\n", "{0}: {1} %s\n", "{1} %d -> %d\n", "{0} {1} status=%x\n", "%s: {0} {1} done\n",
        "{1}: no {0}, err %d\n", "{0} {1} %u bytes at %p\n", "skipping {1} on {0} %s (%d)\n", "{0}_{1}: %pM\n",
        "{1} timeout after %lu ms\n", "{0} {1} ok\n", "bad {1} %#x in {0}\n",
    ];

    private readonly int _seed;

    public SynthGenerator(int seed) => _seed = seed;

    /// <summary>
    /// A built-in image's units (vmlinux.o): many short modname runs, <paramref name="callsites"/> call sites in all.
    /// </summary>
    public IEnumerable<CompilationUnit> BuiltIn(int callsites)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(callsites);
        var rng = new Random(_seed);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var left = callsites;
        var last = new LastFunction();
        while (left > 0)
        {
            var mod = NewModule(rng, names);
            do
            {
                var n = Math.Min(left, Geometric(rng, FileEnd));
                yield return Unit(rng, mod.Name, mod.Dir, n, last);
                left -= n;
            }
            while (left > 0 && rng.NextDouble() >= ModuleEndPerFile);
        }
    }

    /// <summary>
    /// <paramref name="modules"/> loadable modules sharing <paramref name="callsites"/> call sites (skewed sizes, as a
    /// distro's: a few large drivers, many small ones; a module may get none, like most real ones).
    /// </summary>
    public IReadOnlyList<SynthModule> Modules(int modules, int callsites)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(modules);
        ArgumentOutOfRangeException.ThrowIfNegative(callsites);
        var rng = new Random(_seed);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var weights = new double[modules];
        for (var i = 0; i < modules; i++)
        {
            weights[i] = -Math.Log(1 - rng.NextDouble()) * (rng.NextDouble() < 0.1 ? 8 : 1);
        }

        var counts = Apportion(weights, callsites);
        var result = new SynthModule[modules];
        for (var i = 0; i < modules; i++)
        {
            var (name, dir) = NewModule(rng, names);
            var unitSeed = rng.Next();
            var count = counts[i];
            result[i] = new SynthModule(name, $"kernel/{dir}/{name}.ko", count, () => ModuleUnits(unitSeed, name, dir, count));
        }

        return result;
    }

    private IEnumerable<CompilationUnit> ModuleUnits(int seed, string name, string dir, int count)
    {
        var rng = new Random(seed);
        var left = count;
        var last = new LastFunction();
        while (left > 0)
        {
            var n = Math.Min(left, Geometric(rng, FileEnd));
            yield return Unit(rng, name, dir, n, last);
            left -= n;
        }
    }

    /// <summary>Integer shares of <paramref name="total"/> proportional to the weights (largest remainder).</summary>
    private static int[] Apportion(double[] weights, int total)
    {
        var sum = weights.Sum();
        var counts = new int[weights.Length];
        var rest = new (double Frac, int Index)[weights.Length];
        var given = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var exact = total * weights[i] / sum;
            counts[i] = (int)Math.Floor(exact);
            given += counts[i];
            rest[i] = (exact - counts[i], i);
        }

        foreach (var (_, i) in rest.OrderByDescending(x => x.Frac).ThenBy(x => x.Index).Take(total - given))
        {
            counts[i]++;
        }

        return counts;
    }

    private static (string Name, string Dir) NewModule(Random rng, HashSet<string> names)
    {
        var dir = Dirs[rng.Next(Dirs.Length)];
        var name = Syllables[rng.Next(Syllables.Length)] + Syllables[rng.Next(Syllables.Length)];
        if (rng.Next(3) == 0)
        {
            name += rng.Next(10, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var unique = name;
        for (var k = 2; !names.Add(unique); k++)
        {
            unique = $"{name}_{k}";
        }

        return (unique, $"{dir}/{unique}");
    }

    /// <summary>
    /// The function name the previous unit ended with. A unit never starts with it: v6 32/34's packing compares
    /// function pointers only, and ld merges equal strings, so a file boundary inside one function name would hand
    /// the new file's records the old file's site (the compress study reports v6-pack NOT exact then). Real kernels
    /// do not do that between neighbouring files, and the generator should not either.
    /// </summary>
    private sealed class LastFunction
    {
        public string? Name;
    }

    private static CompilationUnit Unit(Random rng, string mod, string dir, int callsites, LastFunction last)
    {
        var suffix = FileSuffixes[rng.Next(FileSuffixes.Length)];
        var file = $"{dir}/{mod}_{suffix}.c";
        if (rng.Next(4) == 0)
        {
            file = $"{dir}/{suffix}{rng.Next(100)}.c";
        }

        // DEBUG defined for the whole file now and then: default flags print, the key starts enabled.
        var debug = rng.Next(50) == 0;
        var line = (uint)rng.Next(20, 200);
        var list = new Callsite[callsites];
        var fn = FunctionName(rng, mod);
        while (fn == last.Name)
        {
            fn = FunctionName(rng, mod);
        }

        for (var i = 0; i < callsites; i++)
        {
            if (i > 0 && rng.NextDouble() < FunctionEnd)
            {
                fn = FunctionName(rng, mod);
                line += (uint)rng.Next(10, 80);
            }

            line = Math.Min(line + (uint)rng.Next(1, 12), (1u << 18) - 1);
            var fmt = string.Format(System.Globalization.CultureInfo.InvariantCulture, Formats[rng.Next(Formats.Length)],
                Nouns[rng.Next(Nouns.Length)], Verbs[rng.Next(Verbs.Length)]);
            list[i] = new Callsite(mod, file, fn, fmt, line, debug ? 1u : 0u, DdebugLayout.DefaultClass, debug);
        }

        last.Name = fn;
        return new CompilationUnit(mod, file, list);
    }

    private static string FunctionName(Random rng, string mod) =>
        $"{mod}_{Verbs[rng.Next(Verbs.Length)]}_{Nouns[rng.Next(Nouns.Length)]}";

    /// <summary>A run length ≥ 1 that ends after each step with probability <paramref name="end"/>.</summary>
    private static int Geometric(Random rng, double end)
    {
        var n = 1;
        while (rng.NextDouble() >= end && n < 4096)
        {
            n++;
        }

        return n;
    }
}
