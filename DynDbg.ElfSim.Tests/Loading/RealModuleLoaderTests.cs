using System.Collections.Concurrent;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Elf;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Loading;

/// <summary>
/// The loader emulation over every Debian amd64 module: none is refused, and the placement keeps the rules of
/// 6.1 layout_sections/layout_symtab that can be checked without booting (the boot comparison is issue 7's).
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public class RealModuleLoaderTests
{
    private static readonly HashSet<string> NotLaidOut = [".modinfo", "__versions", ".data..percpu"];

    [Test]
    public void EveryAmd64Module_IsLaidOutByTheRules()
    {
        var arch = RealInputs.Arch("amd64");
        var kos = Directory.EnumerateFiles(arch.Modules, "*.ko", SearchOption.AllDirectories).ToArray();
        var failures = new ConcurrentBag<string>();
        var sections = 0L;
        Parallel.ForEach(kos, new ParallelOptions { MaxDegreeOfParallelism = 2 }, path =>
        {
            try
            {
                using var f = ElfFile.Open(path);
                var layout = ModuleLoader.Layout(f);
                Interlocked.Add(ref sections, layout.Sections.Count);
                var problem = Check(f, layout);
                if (problem is not null)
                {
                    failures.Add($"{path}: {problem}");
                }
            }
            catch (Exception e) when (e is DiagnosticException or LoaderRefusal)
            {
                failures.Add($"{path}: {e.Message}");
            }
        });

        TestContext.Progress.WriteLine($"amd64: {kos.Length} modules laid out, {sections} allocated sections placed");
        failures.Should().BeEmpty();
    }

    private static string? Check(ElfFile f, ModuleLayout layout)
    {
        var placed = layout.Sections.ToDictionary(s => s.Index);
        foreach (var s in f.Sections)
        {
            var expected = (s.IsAlloc && !NotLaidOut.Contains(s.Name)) || s.Type == ElfConstants.ShtSymtab || s.Index == (int)(f.SymbolTable?.Section.Link ?? 0);
            if (expected != placed.ContainsKey(s.Index))
            {
                return $"{s.Describe()} {(expected ? "not placed" : "placed")}";
            }
        }

        foreach (var region in new[] { ModuleRegion.Core, ModuleRegion.Init })
        {
            // Empty sections may share an offset with the next one (an empty .text leaves text_size 0).
            var inRegion = layout.Sections.Where(s => s.Region == region && s.Size > 0).OrderBy(s => s.Offset).ToArray();
            var size = region == ModuleRegion.Core ? layout.CoreSize : layout.InitSize;
            for (var i = 0; i < inRegion.Length; i++)
            {
                var s = inRegion[i];
                if (s.Offset % s.Align != 0 || s.Offset + s.Size > size || (i > 0 && inRegion[i - 1].Offset + inRegion[i - 1].Size > s.Offset))
                {
                    return $"{s.Name} at 0x{s.Offset:x}+0x{s.Size:x} (align {s.Align}) misplaced in {region} of 0x{size:x}";
                }

                var init = s.Name.StartsWith(".init", StringComparison.Ordinal) || s.Pass is "symtab" or "strtab";
                if (init != (region == ModuleRegion.Init))
                {
                    return $"{s.Name} in {region}";
                }
            }
        }

        // Pass order inside the core: text < ro < ro_after_init < rw, each boundary page-aligned.
        var text = layout.Sections.Where(s => s.Pass == "text" && s.Region == ModuleRegion.Core).ToArray();
        if (text.Any(s => s.Offset + s.Size > layout.CoreTextSize) || layout.CoreTextSize % 4096 != 0)
        {
            return "text beyond text_size";
        }

        if (layout.Find("__dyndbg") is { } dd && dd.Pass != "rw")
        {
            return $"__dyndbg in pass {dd.Pass}";
        }

        return layout.Find("__jump_table") is { Pass: not "ro_after_init" } ? "__jump_table not ro_after_init" : null;
    }

    [Test]
    public void WriteAndExecSection_IsRefused()
    {
        var arch = RealInputs.Arch("amd64");
        var path = Path.Combine(arch.Modules, "kernel", "net", "bluetooth", "bnep", "bnep.ko");
        var d = File.ReadAllBytes(path);
        var data = ElfBytesPatch.Describe(d).Sections.First(s => s.Name == ".data");
        ElfBytesPatch.Put(d, (long)data.HeaderOffset + 8, data.Flags | ElfConstants.ShfExecInstr, 8, false);
        using var f = ElfFile.FromBytes("bnep.ko", d);
        var act = () => ModuleLoader.Layout(f);
        var r = act.Should().Throw<LoaderRefusal>().Which;
        r.Id.Should().Be(ModuleLoader.WriteExec);
        r.Message.Should().Be($"bnep: section .data (index {data.Index}) has invalid WRITE|EXEC flags");
    }

    [Test]
    public void HugeBss_IsModuleAllocFailure_NotAnAllocationHere()
    {
        // Found by the mutation run (nls_utf8.ko): a .bss of 2^63 bytes overflowed an allocation in the emulator.
        var arch = RealInputs.Arch("amd64");
        var d = File.ReadAllBytes(Path.Combine(arch.Modules, "kernel", "fs", "nls", "nls_utf8.ko"));
        var bss = ElfBytesPatch.Describe(d).Sections.First(s => s.Name == ".bss");
        ElfBytesPatch.Put(d, (long)bss.HeaderOffset + 32, 1UL << 63, 8, false);
        using var f = ElfFile.FromBytes("nls_utf8.ko", d);
        var act = () => LoadedModule.Load(f, ModuleLoader.Layout(f), 0xffffffffc0200000, 0xffffffffc1000000);
        var r = act.Should().Throw<LoaderRefusal>().Which;
        r.Id.Should().Be(LoadedModule.NoMemory);
        r.Errno.Should().Be("-ENOMEM");
    }
}
