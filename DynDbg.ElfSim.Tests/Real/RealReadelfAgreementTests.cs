using System.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using FluentAssertions.Execution;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// Compares the library's decoding of real modules with <see cref="ReadelfOracle"/>, record by record: the four
/// strings and the line number. A deterministic sample (evenly spaced over the sorted module paths) keeps the
/// number of readelf runs small while touching every corner of the tree.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public sealed class RealReadelfAgreementTests
{
    private const int SampleSize = 12;

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void Decoded_records_match_readelf(string archName)
    {
        var arch = RealInputs.Arch(archName);
        var sample = Sample(arch);
        sample.Should().HaveCount(SampleSize, "the {0} tree has at least {1} modules with __dyndbg", archName, SampleSize);

        var failures = new FailureList();
        int modules = 0, records = 0, strings = 0, linenos = 0;
        var sw = Stopwatch.StartNew();
        Parallel.ForEach(sample, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
        {
            var rel = arch.Relative(path);
            failures.Run(rel, () =>
            {
                var oracle = ReadelfOracle.DecodeModule(path);
                using var f = ElfFile.Open(path);
                var img = MainlineImage.Load(f);
                var compared = Compare(img, oracle, failures, rel);
                Interlocked.Increment(ref modules);
                Interlocked.Add(ref records, compared);
                Interlocked.Add(ref strings, 4 * compared);
                Interlocked.Add(ref linenos, compared);
            });
        });
        sw.Stop();

        TestContext.Progress.WriteLine(
            $"readelf oracle [{archName}]: {modules}/{sample.Count} modules, {records} records, {strings} strings and " +
            $"{linenos} line numbers compared, {failures.Count} problem(s), {sw.ElapsedMilliseconds} ms " +
            $"(sample: {string.Join(", ", sample.Select(p => Path.GetFileNameWithoutExtension(p)))})");
        failures.AssertNone($"{archName}: library vs readelf");
    }

    /// <summary>Compares one module; returns the number of records compared.</summary>
    private static int Compare(MainlineImage img, OracleTable oracle, FailureList failures, string rel)
    {
        string[] problems;
        using (var scope = new AssertionScope())
        {
            (img.Decision?.Layout.RecordSize).Should().Be(oracle.RecordSize, "readelf shows records of that stride");
            img.Records.Should().HaveCount(oracle.Relocations / 4, "readelf lists 4 relocations per record");
            var n = Math.Min(img.Records.Count, oracle.Records.Count);
            for (var i = 0; i < n; i++)
            {
                var ours = img.Records[i];
                var theirs = oracle.Records[i];
                // Tuples keep this to one assertion per record, and a mismatch prints both sides in full.
                (ours.Modname, ours.Function, ours.Filename, ours.Format, ours.LineNo).Should().Be(
                    (theirs.Modname, theirs.Function, theirs.Filename, theirs.Format, theirs.LineNo),
                    "record {0} (modname, function, filename, format, lineno) must match readelf", i);
            }

            problems = scope.Discard();
        }

        foreach (var p in problems)
        {
            failures.Add(rel, p);
        }

        return Math.Min(img.Records.Count, oracle.Records.Count);
    }

    /// <summary>
    /// <see cref="SampleSize"/> modules with a <c>__dyndbg</c> section, evenly spaced over the ordinally sorted
    /// paths (the middle of each of 12 equal slices), so the sample is the same on every run and machine.
    /// </summary>
    private static IReadOnlyList<string> Sample(RealArch arch)
    {
        var withDyndbg = arch.ModuleFiles().AsParallel().AsOrdered().Where(HasDyndbg).ToArray();
        var n = withDyndbg.Length;
        if (n <= SampleSize)
        {
            return withDyndbg;
        }

        return Enumerable.Range(0, SampleSize).Select(i => withDyndbg[(int)(((2L * i) + 1) * n / (2 * SampleSize))]).ToArray();
    }

    private static bool HasDyndbg(string path)
    {
        using var f = ElfFile.Open(path);
        return f.FindSection("__dyndbg") is not null;
    }
}
