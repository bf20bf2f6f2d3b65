using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// The study reads more of a file than <c>load</c> does (every relocation table, for the strings), so it gets the
/// same seeded mutants: each must end in a site table whose stores are exact, or in our own one-line error.
/// </summary>
[TestFixture]
public class CompressionMutationTests
{
    private const int Mutants = 600;

    [TestCase("x86_64", "alpha.ko")]
    [TestCase("s390x", "delta.ko")]
    [TestCase("i386", "beta.ko")]
    public void EveryMutantEndsInExactStoresOrOurError(string arch, string file)
    {
        var original = ElfBytesPatch.Read(arch, file);
        var rng = new Random(5_0505 + arch.Sum(c => c) + file.Length);
        var (h, sections) = ElfBytesPatch.Describe(original);
        var options = new SiteStoreOptions(Zstd: false);
        int studied = 0, refused = 0;
        for (var i = 0; i < Mutants; i++)
        {
            var d = MutationSmokeTests.Mutate(original, rng, h, sections);
            SiteTable table;
            try
            {
                using var f = ElfFile.FromBytes("mutant", d);
                table = SiteTable.From(f, MainlineImage.Load(f));
            }
            catch (DiagnosticException e)
            {
                e.OneLine.Should().NotContain("\n");
                refused++;
                continue;
            }

            foreach (var store in options.Build(table))
            {
                using (store)
                {
                    var check = SiteStoreCheck.Run(store);
                    var expectExact = store.Name != "v6-pack" || check.Exact || InsideAFunctionRun(table, check.FirstMismatch);
                    expectExact.Should().BeTrue($"{store.Name} on mutant {i}");
                }
            }

            studied++;
        }

        TestContext.Progress.WriteLine($"{arch}/{file}: {Mutants} mutants, {studied} studied, {refused} refused");
        (studied + refused).Should().Be(Mutants);
    }

    /// <summary>v6 packing may only differ where a function pointer run changes file or module (its documented rule).</summary>
    private static bool InsideAFunctionRun(SiteTable t, int i) => i > 0 && t[i].Function == t[i - 1].Function;
}
