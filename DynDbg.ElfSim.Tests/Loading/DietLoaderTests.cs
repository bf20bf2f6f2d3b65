using System.Security.Cryptography;
using DynDbg.ElfSim.Checks;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Tests.Elf;

namespace DynDbg.ElfSim.Tests.Loading;

/// <summary>
/// The diet plan's loader and built-in init (reference §6.2, §6.4, §6.10, §6.15, §6.16) on every diet sample, and
/// the post-load invariants (§8.12–8.18, §8.23) with the findings each profile must show, derived from its layout:
/// §7.1 where the <c>_index</c> store changes bits of the header's format pointer, §7.2 on LP64 with JUMP_LABEL=n
/// without a site pointer, and lld's second header pair (v5's site pointers).
/// </summary>
[TestFixture]
public class DietLoaderTests
{
    private static readonly string[] PostLoadIds =
    [
        CheckIds.IndexValue, CheckIds.HeaderUpN, CheckIds.BuiltinSlot, CheckIds.BuiltinSiteIndex, CheckIds.BuiltinSitePointer,
        CheckIds.HeaderSiteIndex, CheckIds.SiteOf, CheckIds.HeaderPlace,
    ];

    private static string Diet(string arch, string variant, string file) => TestPaths.Sample(arch, Path.Combine("diet", variant, file));

    private static (DietLoad Load, string[] Ids, IReadOnlyList<CheckFinding> Findings) Run(ElfFile f, DietVariant? forced = null, bool? module = null)
    {
        var load = DietLoader.Load(f, forced, module: module)!;
        var findings = PostLoadChecks.Run(load);
        return (load, findings.Select(x => x.Id).Distinct().Order().ToArray(), findings);
    }

    private static IEnumerable<TestCaseData> Modules() =>
        from arch in TestPaths.Arches
        from v in new[] { "v5", "v5-nosite", "v6" }
        from m in new[] { "alpha", "beta", "gamma", "epsilon", "zeta" }
        select new TestCaseData(arch, v, m).SetName($"Module_{arch}_{v}_{m}");

    [TestCaseSource(nameof(Modules))]
    public void Module_TablesIndexesAndFindings_FollowTheKernelsRules(string arch, string variant, string module)
    {
        using var f = ElfFile.Open(Diet(arch, variant, module + ".ko"));
        var (load, ids, _) = Run(f);
        var l = load.Layout;
        var m = load.Memory;
        DietLayout.VariantName(l.Variant).Should().Be(variant);
        load.BuiltIn.Should().BeFalse();
        load.NumDebug.Should().Be(load.NumSites).And.Be(load.NumDescs, "the samples have one site per descriptor (§8.5)");
        var table = load.Tables.Should().ContainSingle().Subject;
        table.HeaderFound.Should().BeTrue("element 0 of a .ko linked with the module rules is the header pair (§8.23)");
        table.Base.Should().Be(0);
        if (module == "zeta")
        {
            // A header and no pr_debug: "skip header", no table (§8.22), and nothing reads the element.
            table.Created.Should().BeFalse();
            load.Log.Should().Contain("dyndbg:  skip header zeta");
            ids.Should().BeEmpty();
            return;
        }

        table.Created.Should().BeTrue();
        table.Count.Should().Be(load.NumDescs);
        for (var k = 0; k < load.NumDescs; k++)
        {
            l.Index.Get(m.U32(DietLoader.Field(load.Descriptors, k, l.RecordSize, l.Unit0Offset))).Should().Be((uint)k, "tab[i]._index = base + i (§8.12)");
        }

        var headerSite = m.Word(DietLoader.Field(load.Descriptors, 0, 0, l.HeaderSiteOffset));
        headerSite.Should().Be(load.SiteAddress, variant == "v5-nosite" ? "28/28 fixes up the NULL header.site" : "the header's .site is &sites[0]");
        if (l.Variant == DietVariant.V6)
        {
            CheckPacking(load);
        }

        var expected = new List<string>();
        var lldTwoHeaders = arch is not ("x86_64" or "i386" or "s390x") && module is "alpha" or "beta";
        if (variant == "v5" && lldTwoHeaders)
        {
            expected.Add(CheckIds.HeaderSiteIndex); // element 1 is lld's second pair: its .site is &sites[0], not &dh->site[1]
        }

        var union = variant != "v5" && l.PointerSize == 8 && !l.JumpLabel;
        if (variant != "v5" && (FormatChangedByIndexStore(load) || union))
        {
            expected.Add(CheckIds.HeaderUpN);
        }

        if (union)
        {
            expected.Add(CheckIds.SiteOf);
        }

        ids.Should().BeEquivalentTo(expected);
    }

    /// <summary>
    /// §7.1 from the layout alone: the record view's lineno/_index unit lies over the header's format pointer, so
    /// storing _index = 0 (and v6's _map = 0 in the next unit) changes the pointer iff those bits of the address
    /// (the site header's modname, equal to header.format while the markers held) are not already zero.
    /// </summary>
    private static bool FormatChangedByIndexStore(DietLoad load)
    {
        var l = load.Layout;
        if (l.Unit0Offset != l.HeaderFormatOffset)
        {
            return false;
        }

        var bytes = new byte[8];
        load.Memory.File.Endian.PutWord(bytes, load.SitesBefore[0].Modname, l.PointerSize);
        var changed = l.Index.Get(load.Memory.File.Endian.U32(bytes)) != 0;
        if (l.Map is { } map && l.PointerSize == 8)
        {
            changed |= map.Get(load.Memory.File.Endian.U32(bytes.AsSpan(4))) != 0;
        }

        return changed;
    }

    /// <summary>v6 32/33: _map climbs by one per new function pointer, and &amp;sites[_map] is a copy of the site built with the record.</summary>
    private static void CheckPacking(DietLoad load)
    {
        var l = load.Layout;
        var m = load.Memory;
        var previous = 0u;
        for (var k = 0; k < Math.Min(load.NumDescs, load.NumSites); k++)
        {
            var map = l.Map!.Value.Get(m.U32(DietLoader.Field(load.Descriptors, k, l.RecordSize, l.Unit1Offset)));
            map.Should().BeInRange(previous, previous + 1).And.BeLessThanOrEqualTo((uint)k);
            previous = map;
            m.Word(DietLoader.Field(load.Sites, (int)map, l.SiteSize, l.SiteFunctionOffset)).Should().Be(load.SitesBefore[k].Function);
            m.Word(DietLoader.Field(load.Sites, (int)map, l.SiteSize, l.SiteFilenameOffset)).Should().Be(load.SitesBefore[k].Filename);
        }
    }

    private static IEnumerable<TestCaseData> BuiltIns() =>
        from v in new[] { "v5", "v5-nosite", "v6" }
        from file in new[] { "vmlinux", "vmlinux.o" }
        select new TestCaseData(v, file).SetName($"BuiltIn_x86_64_{v}_{file}");

    [TestCaseSource(nameof(BuiltIns))]
    public void BuiltIn_SlicesByModname_GlobalIndex_HeaderOnlyInTheFirstSlice(string variant, string file)
    {
        using var f = ElfFile.Open(Diet("x86_64", variant, file));
        // A linked vmlinux carries no trace of v6's __dyndbgs rename: the variant has to be named (§6.9).
        var (load, ids, _) = Run(f, file == "vmlinux" ? DietLayout.ParseVariant(variant) : null);
        var l = load.Layout;
        load.BuiltIn.Should().BeTrue();
        load.Tables.Select(t => (t.ModName, t.First, t.Base, t.Count, t.Created)).Should().Equal(
            ("alpha", 0, 0, 12, true), ("beta", 12, 12, 10, true), ("epsilon", 22, 22, 3, true));
        load.Tables.Select(t => t.HeaderFound).Should().Equal(true, false, false);
        for (var k = 0; k < load.NumDescs; k++)
        {
            l.Index.Get(load.Memory.U32(DietLoader.Field(load.Descriptors, k, l.RecordSize, l.Unit0Offset))).Should().Be((uint)k, "mod_index accumulates (§6.6)");
        }

        if (l.Variant == DietVariant.V6)
        {
            CheckPacking(load);
            load.Log.Should().Contain(x => x.EndsWith("debug prints in module beta (in 6 functions)", StringComparison.Ordinal));
        }

        ids.Should().BeEquivalentTo(variant == "v5" ? [] : new[] { CheckIds.HeaderUpN });
    }

    [TestCase("v5")]
    [TestCase("v5-nosite")]
    [TestCase("v6")]
    public void BuiltIn_LdBfdsVmlinux_AndOurLinkOfVmlinuxO_LeaveTheSameState(string variant)
    {
        // samples/objs/x86_64/diet/<v>/vmlinux is ld.bfd's final link of vmlinux.o with the same script (plus the
        // stub object): the walk, the tables, the written _index/_back/_map units and the findings must agree.
        var forced = DietLayout.ParseVariant(variant);
        using var bfd = ElfFile.Open(Diet("x86_64", variant, "vmlinux"));
        using var ours = ElfFile.Open(Diet("x86_64", variant, "vmlinux.o"));
        var (a, aIds, aFindings) = Run(bfd, forced);
        var (b, bIds, bFindings) = Run(ours, forced);
        // Why a later slice's tab[0] is no header names string addresses, which the two links place differently.
        static DietTable Facts(DietTable t) => t with { HeaderNote = t.HeaderFound ? t.HeaderNote : "-" };
        b.Tables.Select(Facts).Should().Equal(a.Tables.Select(Facts));
        b.DescriptorAddress.Should().Be(a.DescriptorAddress);
        b.SiteAddress.Should().Be(a.SiteAddress);
        b.Log.Should().Equal(a.Log);
        bIds.Should().Equal(aIds);
        bFindings.Select(x => (x.Id, x.Element)).Should().Equal(aFindings.Select(x => (x.Id, x.Element)));
        var l = a.Layout;
        for (var k = 0; k < a.NumDescs; k++)
        {
            b.Memory.U32(DietLoader.Field(b.Descriptors, k, l.RecordSize, l.Unit0Offset)).Should().Be(a.Memory.U32(DietLoader.Field(a.Descriptors, k, l.RecordSize, l.Unit0Offset)));
            b.Memory.U32(DietLoader.Field(b.Descriptors, k, l.RecordSize, l.Unit1Offset)).Should().Be(a.Memory.U32(DietLoader.Field(a.Descriptors, k, l.RecordSize, l.Unit1Offset)));
        }
    }

    [Test]
    public void JumpLabelOffObjectBuiltIn_ShowsTheUnionSizeHazardAsPostLoadFailures()
    {
        // gamma (JUMP_LABEL=n) linked into a vmlinux: the 24-byte header union before 16-byte records (§7.2).
        using var f = ElfFile.Open(Diet("x86_64", "v5-nosite", "gamma.o"));
        var (load, ids, findings) = Run(f, module: false);
        load.BuiltIn.Should().BeTrue();
        ids.Should().BeEquivalentTo([CheckIds.HeaderUpN, CheckIds.BuiltinSlot, CheckIds.BuiltinSiteIndex, CheckIds.SiteOf]);
        findings.Single(x => x.Id == CheckIds.BuiltinSlot).Message.Should().StartWith(
            "desc[1] is not &__start___dyndbg[0] (+0x0) but +0x18 (§7.2: the 24-byte header union puts record 1 8 bytes past tab[1]) (4 elements)");
    }

    [Test]
    public void NoScriptModule_HasNoHeaderAtAddTime()
    {
        using var f = ElfFile.Open(Diet("x86_64", "v5", "alpha.noscript.ko"));
        var (load, ids, findings) = Run(f);
        ids.Should().BeEquivalentTo([CheckIds.HeaderUpN, CheckIds.HeaderPlace]);
        load.Tables.Single().Created.Should().BeTrue();
        var place = findings.Single(x => x.Id == CheckIds.HeaderPlace);
        place.OneLine("alpha.noscript.ko").Should().Be(
            $"alpha.noscript.ko: error DDG019 [§8.23]: __dyndbg table 'alpha' element 0, offset 0x{f.FindSection("__dyndbg")!.Offset:x}: __ddebug_add_module(alpha) found no header pair at tab[0]: header.lineno is 19");
    }

    [Test]
    public void SharedCounter_LeavesTheLastDescriptorUnnumbered()
    {
        // One descriptor more than sites (__dyndbg grown by one record over the bytes that follow it): v5 13/28's
        // num_debug is the sites count (§7.4), so tab[12] is never numbered.
        using var f = ElfFile.FromBytes("alpha.ko", Grown("v5", "__dyndbg", 40));
        var (load, ids, findings) = Run(f);
        load.NumDebug.Should().Be(12);
        load.NumDescs.Should().Be(13);
        load.Log[0].Should().Be("find_module_sections: __dyndbg 13 x 40, __dyndbg_sites 12 x 24: num_debug = 12 (the __dyndbg_sites count overwrote 13, §7.4)");
        ids.Should().Contain(CheckIds.IndexValue);
        var finding = findings.Single(x => x.Id == CheckIds.IndexValue);
        finding.Element.Should().Be(12);
        finding.Message.Should().StartWith("desc[12]._index is ").And.EndWith(", expected 12: never written, add_module walked num_debug = 12 (§7.4)");
    }

    [Test]
    public void V6SharesTheCounterToo_AndTheLoopStopsAtTheArraysEnd()
    {
        // v6 07/34 keeps 13/28's single num_debug (on "__dyndbgs"): one site more than descriptors.
        using var f = ElfFile.FromBytes("alpha.ko", Grown("v6", "__dyndbg_sites", 24));
        DietChecks.Run(DietImage.Load(f)!).Select(x => x.Id).Should().Contain(CheckIds.SharedCounter);
        var load = DietLoader.Load(f)!;
        load.NumDebug.Should().Be(13);
        load.Notes.Should().Contain("alpha: tab[12] is past the end of the array: the kernel's loop writes 1 more element(s) into whatever follows; not emulated");
        load.Log.Should().Contain(x => x.StartsWith("dyndbg:  13 debug prints in module alpha", StringComparison.Ordinal));
    }

    [Test]
    public void WrongSitePointer_InAModule_IsDdg017()
    {
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", "v5", "alpha.ko"));
        AddToAddend(d, "__dyndbg", 3 * 40, 24); // desc[3].site = &sites[4]
        using var f = ElfFile.FromBytes("alpha.ko", d);
        var (_, ids, findings) = Run(f);
        ids.Should().Equal(CheckIds.HeaderSiteIndex);
        findings.Single().Element.Should().Be(3);
        findings.Single().Message.Should().Be("desc[3].site 0xffffffffc0002060 != &dh->site[3] (0xffffffffc0002048)");
    }

    [Test]
    public void WrongSitePointer_BuiltIn_IsDdg016AndDdg017_AndTheInitWalksBugOn()
    {
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", "v5", "vmlinux"));
        ulong start;
        ulong dataOffset, dataAddress;
        using (var probe = ElfFile.FromBytes("vmlinux", (byte[])d.Clone()))
        {
            var symtab = probe.SymbolTable!;
            start = symtab[symtab.IndexOf("__start___dyndbg")].Value;
            var data = probe.FindSection(".data")!;
            (dataOffset, dataAddress) = (data.Offset, data.Address);
        }

        var at = (long)(dataOffset + (start - dataAddress) + (3 * 40));
        var old = BitConverter.ToUInt64(d, (int)at);
        ElfBytesPatch.Put(d, at, old + 24, 8, false);
        using var f = ElfFile.FromBytes("vmlinux", d);
        var (load, ids, _) = Run(f);
        ids.Should().BeEquivalentTo([CheckIds.BuiltinSitePointer, CheckIds.HeaderSiteIndex]);
        load.Log.Should().Contain("BUG_ON(site != iter->site) at element 3 (1 elements; fatal in v5 25/28)");
    }

    [Test]
    public void HeaderPairAtALaterBuiltInSlice_IsDdg019()
    {
        // Make beta's first record (element 12 of the v5 vmlinux) pass every marker of is_dyndbg_header_pair:
        // lineno 0, format == its site's modname == function, and the site's filename looping back to it.
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", "v5", "vmlinux"));
        ulong desc, sites, dataOffset, dataAddress;
        using (var probe = ElfFile.FromBytes("vmlinux", (byte[])d.Clone()))
        {
            var symtab = probe.SymbolTable!;
            desc = symtab[symtab.IndexOf("__start___dyndbg")].Value + (12 * 40);
            sites = symtab[symtab.IndexOf("__start___dyndbg_sites")].Value + (12 * 24);
            var data = probe.FindSection(".data")!;
            (dataOffset, dataAddress) = (data.Offset, data.Address);
        }

        long At(ulong address) => (long)(dataOffset + (address - dataAddress));
        var modname = BitConverter.ToUInt64(d, (int)At(sites));
        ElfBytesPatch.Put(d, At(desc + 8), modname, 8, false);                                   // format
        ElfBytesPatch.Put(d, At(desc + 16), BitConverter.ToUInt32(d, (int)At(desc + 16)) & ~0x3ffffu, 4, false); // lineno 0
        ElfBytesPatch.Put(d, At(sites + 8), desc, 8, false);                                     // filename loopback
        ElfBytesPatch.Put(d, At(sites + 16), modname, 8, false);                                 // function
        using var f = ElfFile.FromBytes("vmlinux", d);
        var (load, ids, findings) = Run(f);
        load.Tables.Select(t => t.HeaderFound).Should().Equal(true, true, false);
        ids.Should().Equal(CheckIds.HeaderPlace);
        findings.Single().Message.Should().Be("slice 1 (beta) starts with a header pair: only the first built-in slice may");
        findings.Single().Element.Should().Be(12);
    }

    [Test]
    public void V6HeaderSiteOffByOne_BugOnAtAdd_AndEverySiteOfIsWrong()
    {
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", "v6", "alpha.ko"));
        AddToAddend(d, "__dyndbgs", 0, 24); // header.site = &sites[1]
        using var f = ElfFile.FromBytes("alpha.ko", d);
        var (load, ids, findings) = Run(f);
        load.Log.Should().Contain("BUG_ON(&dh->site[0] != &sites[0]) in alpha (v6 29/34)");
        ids.Should().BeEquivalentTo([CheckIds.HeaderUpN, CheckIds.SiteOf]);
        findings.Single(x => x.Id == CheckIds.SiteOf).Message.Should().EndWith("(12 elements)");
    }

    [Test]
    public void Load_NeverWritesTheInput()
    {
        foreach (var (path, variant) in new[] { (Diet("x86_64", "v6", "vmlinux"), DietVariant.V6), (Diet("x86_64", "v5-nosite", "alpha.ko"), DietVariant.V5NoSite) })
        {
            var before = SHA256.HashData(File.ReadAllBytes(path));
            using (var f = ElfFile.Open(path))
            {
                Run(f, variant).Load.Tables.Should().NotBeEmpty();
            }

            SHA256.HashData(File.ReadAllBytes(path)).Should().Equal(before);
        }
    }

    /// <summary>
    /// Seeded byte mutations of diet samples through the static and post-load checks: every mutant ends in a verdict
    /// or our own one-line error, never another exception or a hang (docs/robustness.md's rule).
    /// </summary>
    [TestCase("x86_64", "v5-nosite", "alpha.ko")]
    [TestCase("x86_64", "v6", "gamma.ko")]
    [TestCase("x86_64", "v5", "vmlinux")]
    [TestCase("x86_64", "v5", "vmlinux.o")]
    [TestCase("s390x", "v6", "beta.ko")]
    [TestCase("i386", "v5", "alpha.ko")]
    public void DietMutants_EndInAVerdictOrOurError(string arch, string variant, string file)
    {
        var original = ElfBytesPatch.Read(arch, Path.Combine("diet", variant, file));
        var (h, sections) = ElfBytesPatch.Describe(original);
        var rng = new Random(20261122 + file.Length + arch.Length);
        int verdicts = 0, errors = 0;
        for (var i = 0; i < 300; i++)
        {
            var d = MutationSmokeTests.Mutate(original, rng, h, sections);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using var f = ElfFile.FromBytes(file, d);
                if (DietImage.Load(f) is { } img)
                {
                    _ = FileCheck.Diet(f, img);
                    verdicts++;
                }
            }
            catch (DiagnosticException e)
            {
                e.OneLine.Should().NotContain("\n");
                errors++;
            }

            sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), $"mutant {i} must not hang");
        }

        verdicts.Should().BePositive();
        errors.Should().BePositive();
    }

    /// <summary>Real Debian modules are mainline: no __dyndbg_sites, so the diet loader declines and check's verdict stays the mainline one.</summary>
    [Test]
    [Category("Real")]
    [NonParallelizable]
    public void RealModules_AreNotDietImages_AndCheckStaysMainline()
    {
        var arch = Real.RealInputs.Arch("amd64");
        var files = Directory.EnumerateFiles(arch.Modules, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(300).ToArray();
        var withTables = 0;
        foreach (var path in files)
        {
            using (var f = ElfFile.Open(path))
            {
                DietLoader.Load(f).Should().BeNull(path);
            }

            var c = FileCheck.Run(path, null);
            c.Unreadable.Should().BeNull(path);
            c.Findings.Should().BeEmpty(path);
            if (c.Kind == CheckedKind.Mainline)
            {
                withTables++;
            }
            else
            {
                c.Kind.Should().Be(CheckedKind.None, path);
            }
        }

        withTables.Should().BePositive();
    }

    [Test]
    public void PostLoadIds_AreRegisteredWithTheirReferences()
    {
        PostLoadIds.Should().OnlyHaveUniqueItems();
        PostLoadIds.Select(CheckIds.Reference).Should().Equal("§8.12", "§8.13", "§8.14", "§8.15", "§8.16", "§8.17", "§8.18", "§8.23");
    }

    /// <summary>x86_64 alpha.ko of a variant with one section's sh_size grown over the bytes that follow it.</summary>
    private static byte[] Grown(string variant, string section, ulong bytes)
    {
        var d = ElfBytesPatch.Read("x86_64", Path.Combine("diet", variant, "alpha.ko"));
        var s = ElfBytesPatch.Describe(d).Sections.First(x => x.Name == section);
        ElfBytesPatch.Put(d, (long)s.HeaderOffset + 32, s.Size + bytes, 8, false);
        return d;
    }

    /// <summary>Adds <paramref name="delta"/> to the addend of the RELA entry at <paramref name="offset"/> of a section.</summary>
    private static void AddToAddend(byte[] d, string section, ulong offset, long delta)
    {
        using var probe = ElfFile.FromBytes("probe", (byte[])d.Clone());
        var target = probe.FindSection(section)!;
        var rela = probe.GetRelocations(probe.RelocationSectionsFor(target).Single());
        var i = rela.Entries.ToArray().ToList().FindIndex(r => r.Offset == offset);
        i.Should().BeGreaterThanOrEqualTo(0);
        ElfBytesPatch.Put(d, (long)(rela.Section.Offset + ((ulong)i * 24) + 16), (ulong)(rela.Entries[i].Addend + delta), 8, false);
    }
}
