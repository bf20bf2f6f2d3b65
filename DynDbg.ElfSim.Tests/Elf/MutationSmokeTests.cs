using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>
/// A short, seeded run of byte mutations over real samples: every mutant must decode or raise our own
/// <see cref="ElfFormatException"/>; any other exception is a bug. (The long fuzzing run is a cake target.)
/// </summary>
[TestFixture]
public class MutationSmokeTests
{
    private const int Mutants = 1500;

    private static IEnumerable<TestCaseData> Inputs() =>
        new[] { ("x86_64", "alpha.ko"), ("i386", "beta.ko"), ("s390x", "delta.ko"), ("mips64el", "gamma.ko"), ("x86_64", "vmlinux.o") }
            .Select(x => new TestCaseData(x.Item1, x.Item2).SetName($"Mutants_{x.Item1}_{x.Item2.Replace('.', '_')}"));

    [TestCaseSource(nameof(Inputs))]
    public void EveryMutantEndsInAResultOrOurError(string arch, string file)
    {
        var original = ElfBytesPatch.Read(arch, file);
        // A seed that is the same in every process (string.GetHashCode is randomised per process).
        var rng = new Random(20261122 + (31 * file.Length) + arch.Sum(c => c));
        var (h, sections) = ElfBytesPatch.Describe(original);
        var ids = new SortedSet<string>();
        var decoded = 0;
        for (var i = 0; i < Mutants; i++)
        {
            var d = Mutate(original, rng, h, sections);
            try
            {
                using var f = ElfFile.FromBytes("mutant", d);
                _ = DyndbgImage.Load(f);
                decoded++;
            }
            catch (ElfFormatException e)
            {
                ids.Add(e.Id);
                e.OneLine.Should().NotContain("\n");
            }
        }

        TestContext.Progress.WriteLine($"{arch}/{file}: {Mutants} mutants, {decoded} decoded, error IDs: {string.Join(" ", ids)}");
        ids.Should().NotBeEmpty();
    }

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
                var fieldOffsets = h.Is64 ? new[] { 0, 4, 24, 32, 40, 44, 56 } : new[] { 0, 4, 16, 20, 24, 28, 36 };
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
