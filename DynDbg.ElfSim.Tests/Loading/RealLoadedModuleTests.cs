using System.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Loading;

/// <summary>
/// Two independent paths to the same records: decoding through the file's relocations, and reading the module
/// after the emulated move_module + simplify_symbols + apply_relocations + jump_label_add_module, as
/// dynamic_debug_setup sees it. They must agree on every record of every Debian module, on every architecture,
/// apart from each key's entries pointer, which jump_label_add_module sets into the module's __jump_table.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public class RealLoadedModuleTests
{
    private static IEnumerable<string> Arches() => RealInputs.AllArches;

    [TestCaseSource(nameof(Arches))]
    public void RelocatedImage_GivesTheSameRecordsAsTheRelocations(string archName)
    {
        var arch = RealInputs.Arch(archName);
        var is64 = arch.Facts.Is64;
        ulong core = is64 ? 0xffffffffc0200000 : 0xf8200000, init = is64 ? 0xffffffffc1000000 : 0xf9000000;
        var failures = new FailureList();
        long modules = 0, records = 0, applied = 0;
        var sw = Stopwatch.StartNew();
        var files = Directory.EnumerateFiles(arch.Modules, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, path => failures.Run(arch.Relative(path), () =>
        {
            using var f = ElfFile.Open(path);
            if (f.FindSection("__dyndbg") is null)
            {
                return;
            }

            var viaRelocations = MainlineImage.Load(f);
            var loaded = LoadedModule.Load(f, ModuleLoader.Layout(f), core, init);
            var viaImage = MainlineImage.Load(f, memory: DietMemory.Over(loaded));
            viaImage.Records.Count.Should().Be(viaRelocations.Records.Count);
            var jumpTable = loaded.Layout.Find("__jump_table");
            var tableStart = jumpTable is null ? 0 : loaded.Addresses[jumpTable.Index];
            for (var i = 0; i < viaImage.Records.Count; i++)
            {
                // jump_label_add_module pointed each key with call sites at its first (sorted) __jump_table entry,
                // keeping the type bits; everything else is what the relocations give
                var image = viaImage.Records[i];
                var file = viaRelocations.Records[i];
                (image.KeyType & 3).Should().Be(file.KeyType & 3, $"record {i}: the key's type bits");
                if (image.KeyType != file.KeyType)
                {
                    (image.KeyType & ~3UL).Should().BeInRange(tableStart, tableStart + jumpTable!.Size - 1, $"record {i}: key->entries");
                }

                image.Should().BeEquivalentTo(file, o => o.ComparingByMembers<DdebugRecord>().Excluding(r => r.KeyType), $"record {i}");
            }

            Interlocked.Increment(ref modules);
            Interlocked.Add(ref records, viaImage.Records.Count);
            Interlocked.Add(ref applied, loaded.Applied);
        }));

        TestContext.Progress.WriteLine($"loaded [{archName}]: {modules} modules with __dyndbg loaded and relocated ({applied} relocations applied), {records} records agree, {sw.ElapsedMilliseconds} ms");
        failures.AssertNone($"{archName}: loaded image and relocations disagree");
        modules.Should().BePositive();
    }
}
