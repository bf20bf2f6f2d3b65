using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Real anchor: Debian's own 6.1 modules (amd64, i386, s390x, arm64, armhf, ppc64el, mips64el; fetched by scripts/fetch-real.sh) linked again
/// with GNU ld (<c>ld.bfd -r -T</c>; s390x-linux-gnu-ld.bfd for s390x) and with the engine under the 6.1 module
/// script and under the diet v5 script, compared as the differential tests compare. A module with <c>__dyndbg</c> is a full link: thousands of sections, symbols
/// and relocations, notes, string merges, .gnu.linkonce.this_module, orphans around the script's sections.
/// By default a spread sample per architecture; DYNDBG_ELFSIM_ALL_MODULES=1 runs every module with __dyndbg.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable] // real-kernel fixtures run one at a time, as before the unit tests ran in parallel
public class RealModuleRelinkTests
{
    private static Dictionary<string, string>? _real;
    private static string _fetchProblem = "";

    private static Dictionary<string, string> Real()
    {
        if (_real is not null)
        {
            return _real;
        }

        var script = Path.Combine(TestPaths.Root, "scripts", "fetch-real.sh");
        var (code, stdout, stderr) = Tools.RunIn(TestPaths.Root, "bash", script, "--no-vmlinux", "--arch", "amd64,i386,s390x,arm64,armhf,ppc64el,mips64el");
        if (code == 3)
        {
            Assert.Ignore($"real kernel binaries are not available on this platform (fetch-real.sh exit 3): {stderr.Trim()}");
        }

        if (code is not (0 or 1))
        {
            Assert.Fail($"{script} failed with exit {code}: {stderr.Trim()}");
        }

        // Exit 1: some arch failed; the others are listed and usable, a missing one fails in Modules().
        _fetchProblem = code == 0 ? "" : $" (fetch-real.sh exit {code}: {stderr.Trim()})";
        _real = stdout.Split('\n').Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        return _real;
    }

    private static List<string> Modules(string arch)
    {
        if (!Real().TryGetValue($"MODULES_{arch}", out var root))
        {
            Assert.Fail($"the {arch} modules were not fetched{_fetchProblem}");
        }

        var withDyndbg = Directory.EnumerateFiles(root!, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Where(p =>
        {
            using var f = ElfFile.Open(p);
            return f.FindSection("__dyndbg") is not null;
        }).ToList();
        if (Environment.GetEnvironmentVariable("DYNDBG_ELFSIM_ALL_MODULES") == "1")
        {
            return withDyndbg;
        }

        // Every 40th, plus the largest (amdgpu on amd64): a spread of sizes, subsystems and relocation mixes.
        var sample = withDyndbg.Where((_, i) => i % 40 == 0).ToList();
        var largest = withDyndbg.MaxBy(p => new FileInfo(p).Length)!;
        if (!sample.Contains(largest))
        {
            sample.Add(largest);
        }

        return sample;
    }

    [TestCase("amd64", ElfMachine.X86_64, "module-6.1.lds")]
    [TestCase("amd64", ElfMachine.X86_64, "module.lds")]
    [TestCase("amd64", ElfMachine.X86_64, "module-v6.lds")]
    [TestCase("i386", ElfMachine.I386, "module-6.1.lds")]
    [TestCase("i386", ElfMachine.I386, "module.lds")]
    [TestCase("i386", ElfMachine.I386, "module-v6.lds")]
    [TestCase("s390x", ElfMachine.S390, "module-6.1.lds")]
    [TestCase("s390x", ElfMachine.S390, "module.lds")]
    [TestCase("s390x", ElfMachine.S390, "module-v6.lds")]
    [TestCase("armhf", ElfMachine.Arm, "module-6.1.lds")]
    [TestCase("armhf", ElfMachine.Arm, "module.lds")]
    [TestCase("armhf", ElfMachine.Arm, "module-v6.lds")]
    [TestCase("ppc64el", ElfMachine.Ppc64, "module-6.1.lds")]
    [TestCase("ppc64el", ElfMachine.Ppc64, "module.lds")]
    [TestCase("ppc64el", ElfMachine.Ppc64, "module-v6.lds")]
    [TestCase("mips64el", ElfMachine.Mips, "module-6.1.lds")]
    [TestCase("mips64el", ElfMachine.Mips, "module.lds")]
    [TestCase("mips64el", ElfMachine.Mips, "module-v6.lds")]
    public void DebianModules_RelinkLikeLd(string arch, ElfMachine machine, string script) => RelinkLikeLd(arch, machine, script);

    /// <summary>
    /// Every Debian arm64 module carries a <c>.note.gnu.property</c> (GNU_PROPERTY_AARCH64_FEATURE_1_AND, PAC here):
    /// relinked, the note goes through bfd/elf-properties.c <c>_bfd_elf_link_setup_gnu_properties</c> with
    /// bfd/elfxx-aarch64.c <c>_bfd_aarch64_elf_merge_gnu_properties</c>, the map gets ld's "Merging program
    /// properties" block, and the rewritten note must come out byte for byte as aarch64-linux-gnu-ld.bfd writes it.
    /// </summary>
    [TestCase("module-6.1.lds")]
    [TestCase("module.lds")]
    [TestCase("module-v6.lds")]
    public void DebianArm64Modules_PropertyNotesMergedLikeBfdElfLinkSetupGnuProperties(string script)
    {
        var modules = Modules("arm64");
        modules.Should().OnlyContain(m => HasPropertyNote(m), "every Debian arm64 module carries .note.gnu.property (else this test tests nothing)");
        RelinkLikeLd("arm64", ElfMachine.AArch64, script);
    }

    /// <summary>
    /// A script that pulls .init.text into .text ahead of it (through EXCLUDE_FILE): ld processes relocations in the
    /// input's section order, so .rela.text holds .text's entries (now at higher offsets) before .init.text's, and
    /// s390's <c>elf_s390_elf_sort_relocs_p</c> (as MIPS's) leaves code relocation tables unsorted. Every sampled
    /// s390x module must come out as s390x-linux-gnu-ld.bfd writes it.
    /// </summary>
    [Test]
    public void DebianS390xModules_InitTextPulledIntoText_RelocationsInLdsOrder()
    {
        LinkComparison.RequireLd(ElfMachine.S390);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "real-relink", "s390x-init-into-text");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "init-into-text.lds"),
            "SECTIONS {\n  .text : { EXCLUDE_FILE(*nothing.o) *(.init.text) *(.text .text.*) }\n}\n");
        var failures = new List<string>();
        var unsorted = 0;
        var modules = Modules("s390x");
        foreach (var ko in modules)
        {
            var name = Path.GetFileName(ko);
            File.Copy(ko, Path.Combine(dir, name), true);
            var o = LinkComparison.Run(dir, "init-into-text.lds", [name], ElfMachine.S390, "-" + Path.GetFileNameWithoutExtension(name));
            if (!o.Agrees || !o.ElfTextIdentical || !o.MapTextIdentical)
            {
                failures.Add($"{ko}:\n  " + string.Join("\n  ", o.Differences.DefaultIfEmpty(o.LdError + " / " + o.OurError)));
            }

            using (var f = ElfFile.Open(Path.Combine(dir, $"ld-{Path.GetFileNameWithoutExtension(name)}.o")))
            {
                var rela = f.FindSection(".rela.text");
                var offsets = rela is null ? [] : f.GetRelocations(rela).Entries.ToArray().Select(r => r.Offset).ToArray();
                unsorted += offsets.Zip(offsets.Skip(1)).Any(p => p.Second < p.First) ? 1 : 0;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*" + Path.GetFileNameWithoutExtension(name) + "*"))
            {
                File.Delete(file);
            }
        }

        TestContext.Out.WriteLine($"s390x .init.text pulled into .text: {modules.Count} modules, {unsorted} with ld's .rela.text out of offset order; " +
                                  $"{modules.Count - failures.Count} identical to ld.bfd");
        unsorted.Should().BePositive("else the case does not show the unsorted table");
        failures.Should().BeEmpty();
    }

    private static bool HasPropertyNote(string path)
    {
        using var f = ElfFile.Open(path);
        return f.FindSection(".note.gnu.property") is not null;
    }

    private static void RelinkLikeLd(string arch, ElfMachine machine, string script)
    {
        LinkComparison.RequireLd(machine);

        var modules = Modules(arch);
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "real-relink", $"{arch}-{script}");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestPaths.Root, "linker", script), Path.Combine(dir, script), true);
        var failures = new List<string>();
        long sections = 0, symbols = 0, relocations = 0;
        foreach (var ko in modules)
        {
            var name = Path.GetFileName(ko);
            File.Copy(ko, Path.Combine(dir, name), true);
            var o = LinkComparison.Run(dir, script, [name], machine, "-" + Path.GetFileNameWithoutExtension(name));
            if (!o.Agrees || !o.ElfTextIdentical || !o.MapTextIdentical)
            {
                failures.Add($"{ko}:\n  " + string.Join("\n  ", o.Differences.DefaultIfEmpty(o.LdError + " / " + o.OurError)));
            }

            sections += o.Sections;
            symbols += o.Symbols;
            relocations += o.Relocations;
            foreach (var f in Directory.EnumerateFiles(dir, "*" + Path.GetFileNameWithoutExtension(name) + "*"))
            {
                File.Delete(f);
            }
        }

        TestContext.Out.WriteLine($"{arch} -T {script}: {modules.Count} modules, {sections} sections, {symbols} symbols, " +
                                  $"{relocations} relocations; {modules.Count - failures.Count} identical to ld.bfd (readelf -S -s -r, map, every section; the files byte for byte)");
        failures.Should().BeEmpty();
    }
}
