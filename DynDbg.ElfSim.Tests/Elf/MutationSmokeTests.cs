using System.Diagnostics;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// A seeded run of byte mutations over real samples and a real module, through the whole pipeline: read, decode,
/// control rendering, module-loader layout and relocation, link (module.lds), check and compress, each stage on its
/// own, from a file that no stage may change. Every mutant must end in a result, our own
/// a <see cref="DiagnosticException"/> (ELF, DYN, LNK or USG) or the loader's <see cref="LoaderRefusal"/>; anything else is a bug, and so
/// is a mutant that takes longer than the hang guard. The short run is part of the tests; `dotnet cake
/// --target=Fuzz --iterations=N --seed=S` runs it long (DYNDBG_FUZZ_ITERATIONS / DYNDBG_FUZZ_SEED).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)] // each input in a directory of its own; the longest fixture, so its cases spread
public class MutationSmokeTests
{
    private static readonly int Mutants = int.TryParse(Environment.GetEnvironmentVariable("DYNDBG_FUZZ_ITERATIONS"), out var n) ? n : 1500;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("DYNDBG_FUZZ_SEED"), out var s) ? s : 20261122;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private static IEnumerable<TestCaseData> Inputs() =>
        new[] { ("x86_64", "alpha.ko"), ("i386", "beta.ko"), ("s390x", "delta.ko"), ("mips64el", "gamma.ko"), ("x86_64", "vmlinux.o") }
            .Select(x => new TestCaseData(x.Item1, x.Item2).SetName($"Mutants_{x.Item1}_{x.Item2.Replace('.', '_')}"));

    [TestCaseSource(nameof(Inputs))]
    public void EveryMutantEndsInAResultOrOurError(string arch, string file) =>
        RunMutants(arch, file, ElfBytesPatch.Read(arch, file));

    /// <summary>A real Debian module, so the loader stages (which refuse the samples: no this_module) run too.</summary>
    [TestCase("net/bluetooth/bnep/bnep.ko")]
    [TestCase("fs/nls/nls_utf8.ko")]
    [Category("Real")]
    [NonParallelizable]
    public void RealModuleMutants(string module)
    {
        var arch = Real.RealInputs.Arch("amd64");
        RunMutants("amd64", module, File.ReadAllBytes(Path.Combine(arch.Modules, "kernel", module)));
    }

    private static void RunMutants(string arch, string file, byte[] original)
    {
        // A seed that is the same in every process (string.GetHashCode is randomised per process).
        var rng = new Random(Seed + (31 * file.Length) + arch.Sum(c => c));
        var (h, sections) = ElfBytesPatch.Describe(original);
        var ids = new SortedSet<string>();
        var through = new int[StageNames.Length];
        var slowest = TimeSpan.Zero;
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "mutants", $"{arch}-{file.Replace('/', '_')}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "mutant.o");
        var studied = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Mutants; i++)
        {
            var d = Mutate(original, rng, h, sections);
            File.WriteAllBytes(path, d);
            var sw = Stopwatch.StartNew();
            RunPipeline(d, path, ids, through, studied);
            slowest = sw.Elapsed > slowest ? sw.Elapsed : slowest;
            sw.Elapsed.Should().BeLessThan(HangGuard, $"mutant {i} of {arch}/{file} (seed {Seed}) must not hang");
            File.ReadAllBytes(path).AsSpan().SequenceEqual(d).Should().BeTrue($"mutant {i} of {arch}/{file}: no stage may modify its input file");
        }

        var stages = string.Join(", ", StageNames.Select((n, k) => $"{n} {through[k]}"));
        TestContext.Progress.WriteLine($"{arch}/{file}: {Mutants} mutants (seed {Seed}), went through: {stages} ({studied.Count} distinct site tables studied); " +
                                       $"slowest {slowest.TotalMilliseconds:0} ms, IDs: {string.Join(" ", ids)}");
        ids.Should().NotBeEmpty();
    }

    internal static readonly string[] StageNames = ["decode+control", "load", "link", "check", "compress"];

    private static readonly Lazy<LinkerScript> ModuleScript = new(() => BundledScripts.Load(BundledScripts.Default));

    // Level 1: the stores' round trip is what is under test, not zstd's effort.
    private static readonly SiteStoreOptions CheapStores = new(ZstdLevel: 1);

    /// <summary>Each stage on its own (a mutant the decoder refuses may still link): read, decode and control;
    /// the 6.1 loader; `link` with module.lds (and a decode of what it wrote); `check`; `compress`.</summary>
    private static void RunPipeline(byte[] data, string path, ISet<string> ids, int[] through, ISet<string> studied)
    {
        Stage(0, () =>
        {
            using var f = ElfFile.FromBytes("mutant", data);
            _ = ControlFileWriter.Render([MainlineImage.Load(f)]);
        });
        Stage(1, () =>
        {
            using var f = ElfFile.FromBytes("mutant", data);
            var loaded = LoadedModule.Load(f, ModuleLoader.Layout(f), 0xffffffffc0200000, 0xffffffffc1000000);
            _ = MainlineImage.Load(f, memory: DietMemory.Over(loaded));
        });
        Stage(2, () =>
        {
            using var f = ElfFile.Open(path);
            var bytes = Linker.Link(ModuleScript.Value, [("mutant.o", f)]).ToElf().ToArray();
            using var linked = ElfFile.FromBytes("linked", bytes);
            _ = MainlineImage.Load(linked);
        });
        Stage(3, () =>
        {
            var c = FileCheck.Run(path, null);
            if (c.Unreadable is { } e)
            {
                throw e;
            }
        });
        Stage(4, () =>
        {
            using var f = ElfFile.Open(path);
            var table = SiteTable.From(f, MainlineImage.Load(f));
            // The study is a function of the table alone. Most mutants leave the site table as an earlier mutant (or
            // the original) left it, and studying it again (zstd-dict training is ~10 ms even for 11 records) would
            // repeat the same result: each distinct table is studied once per input; every mutant still builds it.
            if (studied.Contains(StudyKey(table)))
            {
                return;
            }

            var r = CompressionStudy.Run(table, CheapStores);
            // v6-pack compares function pointers only, so it may hand back a neighbour's site by design (§6.16).
            r.Stores.Where(x => x.Name != "v6-pack").Should().OnlyContain(x => x.Exact, "every lossless store gives back the sites it was built from");
            studied.Add(StudyKey(table));
        });

        void Stage(int k, Action run)
        {
            try
            {
                run();
                through[k]++;
            }
            catch (DiagnosticException e)
            {
                ids.Add(e.Id);
                e.OneLine.Should().NotContain("\n");
            }
            catch (LoaderRefusal r)
            {
                ids.Add(r.Id);
            }
            catch (Exception)
            {
                // Keep the mutant for a fixture: the test's work directory, crash-<stage>.o.
                File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(path)!, $"crash-{StageNames[k].Replace('+', '-')}.o"), data);
                throw;
            }
        }
    }

    /// <summary>Everything <see cref="CompressionStudy.Run"/> reads from a table (its file name is the same for every
    /// mutant of an input): layout, anchor, the tables' module names and bounds (the cache), and the sites.</summary>
    private static string StudyKey(SiteTable t) =>
        string.Join('\n', [$"{t.PointerSize} {t.BigEndian} {t.Kind} {t.Anchor}", .. t.Tables.Select(x => $"{x.First} {x.Count} {x.ModName.Length}:{x.ModName}"),
            Convert.ToBase64String(t.ToBytes())]);

    internal static byte[] Mutate(byte[] original, Random rng, ElfHeader h, IReadOnlyList<ElfSection> sections)
    {
        var d = (byte[])original.Clone();
        switch (rng.Next(4))
        {
            case 0: // random bit flips anywhere
                for (var k = rng.Next(1, 4); k > 0; k--)
                {
                    d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                }

                return d;
            case 1: // truncation
                return d[..rng.Next(d.Length)];
            case 2: // a section header field set to an edge value
            {
                var s = sections[rng.Next(sections.Count)];
                // every field: sh_flags, sh_addr and sh_addralign matter to the linker's layout
                var fieldOffsets = h.Is64 ? new[] { 0, 4, 8, 16, 24, 32, 40, 44, 48, 56 } : new[] { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36 };
                var width = h.Is64 && rng.Next(2) == 0 ? 8 : 4;
                var off = (long)s.HeaderOffset + fieldOffsets[rng.Next(fieldOffsets.Length)];
                var value = rng.Next(4) switch { 0 => 0UL, 1 => ulong.MaxValue, 2 => (ulong)rng.Next(), _ => (ulong)d.Length };
                ElfBytesPatch.Put(d, off, value, Math.Min(width, (int)(d.Length - off)), h.IsBigEndian);
                return d;
            }

            default: // a byte inside a relocation or symbol table
            {
                var tables = sections.Where(s => s.IsRelocation || s.Type == ElfConstants.ShtSymtab).ToArray();
                var t = tables[rng.Next(tables.Length)];
                if (t.Size > 0)
                {
                    d[(long)t.Offset + rng.NextInt64((long)t.Size)] = (byte)rng.Next(256);
                }

                return d;
            }
        }
    }
}
