using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// The diet plan's table creation, run on a copy of the loaded image (reference §6.2, §6.4, §6.6, §6.10, §6.15,
/// §6.16). A module (<c>.ko</c>, or any ET_REL with <c>.gnu.linkonce.this_module</c>/<c>.modinfo</c>) goes
/// through the 6.1 loader (<see cref="ModuleLoader"/>, <see cref="LoadedModule"/>), then v5 13/28's
/// <c>find_module_sections</c> (one <c>num_debug</c> for both arrays), <c>dynamic_debug_setup</c> and
/// <c>__ddebug_add_module</c>. A linked vmlinux, or a vmlinux.o first linked by our engine with
/// <c>linker/vmlinux-diet-v5.lds</c> (v6: <c>-v6.lds</c>) and placed at the script's addresses, goes through
/// <c>dynamic_debug_init</c>: the parallel walk, slices cut on the site's modname, <c>mod_index</c>.
/// </summary>
public static class DietLoader
{
    /// <summary>Loads a diet image, or returns null when the file has no <c>__dyndbg_sites</c> (not a diet image).</summary>
    public static DietLoad? Load(ElfFile file, DietVariant? forced = null, ulong? coreBase = null, KernelConfig? config = null, bool? module = null) =>
        DietImage.Load(file, forced) is { } img ? Load(file, img, coreBase, config, module) : null;

    /// <summary>Loads <paramref name="img"/>, already read from <paramref name="file"/>.</summary>
    /// <param name="coreBase">module core allocation address; default: <see cref="DefaultModuleBase"/>.</param>
    /// <param name="module">an ET_REL is a module (true) or built-ins to link with the vmlinux script (false);
    /// null decides by <c>.gnu.linkonce.this_module</c>/<c>.modinfo</c> or a <c>.ko</c> name.</param>
    public static DietLoad Load(ElfFile file, DietImage img, ulong? coreBase = null, KernelConfig? config = null, bool? module = null)
    {
        if (file.Header.Type != ElfConstants.EtRel)
        {
            var (desc, sites) = (img.Descriptors, img.Sites);
            var memory = DietMemory.Over(file, [desc.Section.Index, sites.Section.Index]);
            return InitBuiltin(file.Path, img, memory, new ElfLocation(desc.Section.Index, desc.Start), desc.Size, desc.Origin,
                new ElfLocation(sites.Section.Index, sites.Start), sites.Size, sites.Origin, []);
        }

        if (!CanLoad(file, module))
        {
            throw CannotLoad(file);
        }

        return module ?? IsModule(file) ? LoadModule(file, img, coreBase, config) : LinkAndInit(file, img);
    }

    /// <summary>
    /// Whether <see cref="Load"/> can emulate this file: a module, a linked image, or built-ins that the bundled diet
    /// vmlinux scripts can link. Those scripts place .text at x86_64's 0xffffffff81000000, so a relocatable of
    /// another machine (e.g. a lone .o) gets the static checks only.
    /// </summary>
    public static bool CanLoad(ElfFile file, bool? module = null) =>
        file.Header.Type != ElfConstants.EtRel || (module ?? IsModule(file)) || file.Header.Machine == ElfMachine.X86_64;

    /// <summary>Why <see cref="CanLoad"/> is false, as the one-line error <c>load</c> prints.</summary>
    public static UsageException CannotLoad(ElfFile file) => new(UsageErrorIds.Usage, file.Path, "file", null,
        $"built-in init needs the file linked with a diet vmlinux script, and the bundled ones are for x86_64, not {ElfMachineNames.Describe(file.Header.Machine, file.Header.Is64)}; load it with other inputs or -T module.lds to link it as a module");

    /// <summary>
    /// Where the module's core allocation starts when <c>--base</c> is not given: an address in each arch's 6.1
    /// module area, so pointers have the high bits real ones have (reference §7.1's overlap depends on them).
    /// </summary>
    public static ulong DefaultModuleBase(ElfMachine machine, bool is64) => machine switch
    {
        ElfMachine.X86_64 => 0xffffffffc0000000,    // MODULES_VADDR
        ElfMachine.AArch64 => 0xffff800008000000,   // MODULES_VADDR (48-bit VA)
        ElfMachine.Ppc64 => 0xc008000000000000,     // ppc64 module area (vmalloc)
        ElfMachine.S390 => 0x000003ff80000000,      // below the kernel image
        ElfMachine.RiscV => 0xffffffff01000000,     // the 2 GiB below _end
        ElfMachine.Mips when is64 => 0xffffffffc0000000,
        ElfMachine.Arm => 0xbf000000,               // PAGE_OFFSET - 16 MiB
        _ => is64 ? 0xffffffffc0000000 : 0xf8000000,
    };

    private static bool IsModule(ElfFile file) =>
        KernelImage.Classify(file).Kind == ImageKind.Module || file.Path.EndsWith(".ko", StringComparison.Ordinal);

    private static DietLoad LoadModule(ElfFile file, DietImage img, ulong? coreBase, KernelConfig? config)
    {
        var l = img.Layout;
        var layout = ModuleLoader.Layout(file, config, strict: false);
        var core = coreBase ?? DefaultModuleBase(file.Header.Machine, file.Header.Is64);
        var init = unchecked(core + ((layout.CoreSize + 0xffff) & ~0xffffUL) + 0x10000);
        var module = LoadedModule.Load(file, layout, core, init);
        var memory = DietMemory.Over(module);
        var log = new List<string>();
        var notes = module.Notes.Concat(layout.Notes).ToList();

        // find_module_sections, v5 13/28 and v6 07/34 (<20210529200029.205306-7-jim.cromie@gmail.com>, the same
        // hunk with "__dyndbgs"): both section_objs calls write &info->num_debug; a missing section gives address 0
        // and count 0 (section 0's sh_size).
        var descSec = layout.Find(l.DescriptorSection);
        var siteSec = layout.Find(DietLayout.SiteSection);
        var numDescs = descSec is null ? 0 : (int)(descSec.Size / (ulong)l.RecordSize);
        var numSites = siteSec is null ? 0 : (int)(siteSec.Size / (ulong)l.SiteSize);
        var numDebug = numSites;
        var name = ModuleName(file, img);
        log.Add($"find_module_sections: {l.DescriptorSection} {numDescs} x {l.RecordSize}, {DietLayout.SiteSection} {numSites} x {l.SiteSize}: num_debug = {numDebug}{(numDescs != numSites ? $" (the {DietLayout.SiteSection} count overwrote {numDescs}, §7.4)" : "")}");
        var descLoc = new ElfLocation(descSec?.Index ?? img.Descriptors.Section.Index, 0);
        var siteLoc = new ElfLocation(siteSec?.Index ?? img.Sites.Section.Index, 0);
        var before = SitesBefore(memory, l, siteLoc, siteSec?.Size ?? 0);
        var tables = new List<DietTable>();
        if (descSec is null)
        {
            log.Add($"dynamic_debug_setup: no {l.DescriptorSection} section (debug == NULL): nothing added");
        }
        else
        {
            var packed = 0;
            tables.Add(AddModule(memory, l, descLoc, descSec.Size, siteLoc, siteSec?.Size ?? 0, numDebug, 0, name, siteLoc, ref packed, log, notes));
        }

        string Where(LoadedSection? s) => s is null ? "absent" :
            $"section [{s.Index}] '{s.Name}' {(s.Region == ModuleRegion.Init ? "init" : "core")}+0x{s.Offset:x} ({s.Pass} pass) at 0x{module.Addresses[s.Index]:x}";
        return new DietLoad(file.Path, false, l, img.Evidence, memory, descLoc, descSec?.Size ?? 0, Where(descSec), siteLoc, siteSec?.Size ?? 0,
            Where(siteSec), numDescs, numSites, numDebug, tables, log, before, notes) { Module = module };
    }

    /// <summary>
    /// mod->name: <c>.modinfo</c> name= or this_module's name; the samples have neither (no modpost), so then
    /// KBUILD_MODNAME as element 0's site modname has it, else the file's stem.
    /// </summary>
    private static string ModuleName(ElfFile file, DietImage img) =>
        KernelImage.Classify(file).ModName ?? (img.SiteRecords.Count > 0 ? img.SiteRecords[0].ModnameText : null)
        ?? System.IO.Path.GetFileName(file.Path).Split('.')[0];

    /// <summary>
    /// A vmlinux.o: linked with the diet vmlinux script by our engine (the header pair's input sections first in
    /// DYNAMIC_DEBUG_DATA(), §6.8), then placed at the script's addresses and relocated, and walked as built-ins.
    /// </summary>
    private static DietLoad LinkAndInit(ElfFile file, DietImage img)
    {
        var scriptName = img.Layout.Variant == DietVariant.V6 ? "vmlinux-diet-v6.lds" : "vmlinux-diet-v5.lds";
        // A vmlinux.o that was already linked with a diet vmlinux script (diet --link, synth --diet) defines the
        // bounds itself; linking it again would find no __dyndbg input sections and make the bounds empty.
        var linkedBefore = DefinesBounds(file, "__dyndbg") && DefinesBounds(file, DietLayout.SiteSection);
        var name = linkedBefore ? file.Path : $"ld -r -T {scriptName} {file.Path}";
        var linked = linkedBefore ? file
            : ElfFile.FromBytes(name, Linker.Link(BundledScripts.Load(scriptName), [(file.Path, file)], new LinkOptions(name)).ToElf().ToArray());
        var placed = linked.Sections.Where(s => s.IsAlloc && s.Index > 0)
            .Select(s => new LoadedSection(s.Index, s.Name, ModuleRegion.Core, s.Address, s.Size, Math.Max(s.AddrAlign, 1), s.Flags, "script"))
            .ToArray();
        var layout = new ModuleLayout("vmlinux", placed, 0, 0, 0, 0, 0, 0, 0, []);
        var module = LoadedModule.Load(linked, layout, 0, 0);
        var memory = DietMemory.Over(module);
        var (desc, descSize, descWhere) = Bounds(linked, "__dyndbg");
        var (sites, siteSize, siteWhere) = Bounds(linked, DietLayout.SiteSection);
        return InitBuiltin(name, img, memory, desc, descSize, descWhere, sites, siteSize, siteWhere,
            [linkedBefore ? "already linked with a diet vmlinux script (it defines the bounds): placed at its section addresses"
                : $"linked by our engine with {scriptName}, placed at the script's addresses", .. module.Notes]);
    }

    private static bool DefinesBounds(ElfFile file, string name) =>
        file.SymbolTable is { } t && t.IndexOf("__start_" + name) is > 0 and var i && t[i].IsInSection
        && t.IndexOf("__stop_" + name) is > 0 and var j && t[j].IsInSection;

    /// <summary><c>__start_X</c>..<c>__stop_X</c> of a relocatable image: section-relative symbols.</summary>
    private static (ElfLocation Start, ulong Size, string Where) Bounds(ElfFile linked, string name)
    {
        var symtab = linked.SymbolTable;
        var start = symtab?.IndexOf("__start_" + name) ?? -1;
        var stop = symtab?.IndexOf("__stop_" + name) ?? -1;
        if (start <= 0 || stop <= 0 || symtab![start].SectionIndex != symtab[stop].SectionIndex || symtab[stop].Value < symtab[start].Value
            || !symtab[start].IsInSection)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.BoundsSymbols, linked.Path, "symbol table", null,
                $"__start_{name}/__stop_{name} are not both defined in one section after linking with the diet vmlinux script");
        }

        var sec = linked.Sections[(int)symtab[start].SectionIndex];
        var size = symtab[stop].Value - symtab[start].Value;
        return (new ElfLocation(sec.Index, symtab[start].Value), size,
            $"__start_{name}..__stop_{name} (0x{sec.Address + symtab[start].Value:x}..0x{sec.Address + symtab[stop].Value:x}) in {sec.Describe()}");
    }

    /// <summary>
    /// <c>dynamic_debug_init</c> of the diet plan: <c>iter</c> over <c>__start___dyndbg</c> and <c>site</c> over
    /// <c>__start___dyndbg_sites</c> in parallel (v5 04/28), <c>SITE_CHK_(BUG_ON(site != iter->site))</c> (25/28),
    /// a new slice whenever <c>strcmp(modname, site->modname)</c>, <c>__ddebug_add_module(iter_mod_start,
    /// site_mod_start, n, mod_index, modname)</c> and <c>mod_index += site_ct</c> (18/28), so _index is global.
    /// v6 33/34 packs the sites of all slices into <c>__start___dyndbg_sites</c> with one <c>packed_base</c>.
    /// </summary>
    private static DietLoad InitBuiltin(string path, DietImage img, DietMemory memory, ElfLocation desc, ulong descSize, string descWhere,
        ElfLocation sites, ulong siteSize, string siteWhere, List<string> notes)
    {
        var l = img.Layout;
        var n = (int)(descSize / (ulong)l.RecordSize);
        var ns = (int)(siteSize / (ulong)l.SiteSize);
        var before = SitesBefore(memory, l, sites, siteSize);
        var log = new List<string>();
        var tables = new List<DietTable>();
        if (n == 0)
        {
            log.Add("dyndbg: _ddebug table is empty in a CONFIG_DYNAMIC_DEBUG build");
        }

        var walked = Math.Min(n, ns);
        if (n > ns)
        {
            notes.Add($"{n} descriptors but {ns} sites: the parallel walk reads sites past __stop___dyndbg_sites; emulated up to element {ns - 1}");
        }

        var modnames = new string?[walked];
        var siteChk = new List<int>();
        for (var i = 0; i < walked; i++)
        {
            var site = At(sites, i, l.SiteSize);
            if (l.HasSitePointer && memory.Word(Field(desc, i, l.RecordSize, l.SitePointerOffset)) != memory.Address(site))
            {
                siteChk.Add(i);
            }

            modnames[i] = StringAt(memory, memory.Word(Field(sites, i, l.SiteSize, l.SiteModnameOffset)));
        }

        if (siteChk.Count > 0)
        {
            log.Add($"BUG_ON(site != iter->site) at element {siteChk[0]} ({siteChk.Count} elements; fatal in v5 25/28)");
        }

        int start = 0, modIndex = 0, packed = 0;
        for (var i = 1; i <= walked; i++)
        {
            if (i < walked && string.Equals(modnames[i], modnames[start], StringComparison.Ordinal))
            {
                continue;
            }

            var count = i - start;
            tables.Add(AddModule(memory, l, At(desc, start, l.RecordSize), (ulong)count * (ulong)l.RecordSize, At(sites, start, l.SiteSize),
                (ulong)count * (ulong)l.SiteSize, count, modIndex, modnames[start] ?? "(unreadable modname)", sites, ref packed, log, notes)
                with { First = start });
            modIndex += count;
            start = i;
        }

        log.Add($"dyndbg: {tables.Count} modules, {walked} entries");
        return new DietLoad(path, true, l, img.Evidence, memory, desc, descSize, descWhere, sites, siteSize, siteWhere, n, ns, walked, tables, log,
            before, notes);
    }

    /// <summary>
    /// <c>__ddebug_add_module(tab, sites, numdbgs, base, modname)</c> with headers (v5 20/28, 28/28; v6 29–33/34):
    /// the header test on tab[0] through the header view, the SITE_CHK / v6 assertions, the v5 28/28 fixup of a
    /// NULL header.site, "skip header" / "skip", then the <c>_index</c> (v6 <c>_back</c>/<c>_map</c> + packing) loop.
    /// </summary>
    private static DietTable AddModule(DietMemory m, DietLayout l, ElfLocation tab, ulong tabBytes, ElfLocation sites, ulong siteBytes,
        int num, int baseIndex, string modname, ElfLocation packedSites, ref int packedBase, List<string> log, List<string> notes)
    {
        var tabAddress = m.Address(tab);
        var sitesAddress = m.Address(sites);
        var (header, why) = num > 0 && tabBytes >= (ulong)Math.Min(l.HeaderSize, l.RecordSize) ? HeaderPair(m, l, tab, sites) : (false, "no element 0");
        if (num > 0 && header)
        {
            log.Add($"dyndbg:  header: {num} {modname}");
            var headerSite = Field(tab, 0, 0, l.HeaderSiteOffset);
            switch (l.Variant)
            {
                case DietVariant.V5 when m.Word(headerSite) != sitesAddress:
                    log.Add($"BUG_ON(tab[0].site != &sites[0]) in {modname} (SITE_CHK, v5 24/28)");
                    break;
                case DietVariant.V5NoSite when m.Word(headerSite) == 0:
                    m.SetWord(headerSite, sitesAddress);
                    log.Add($"{modname}: fixup missed init: header.site = sites (0x{sitesAddress:x}, v5 28/28)");
                    break;
                case DietVariant.V6 when m.Word(headerSite) != sitesAddress:
                    log.Add($"BUG_ON(&dh->site[0] != &sites[0]) in {modname} (v6 29/34)");
                    break;
            }

            if (num <= 1)
            {
                log.Add($"dyndbg:  skip header {modname}");
                return new DietTable(modname, 0, num, baseIndex, tabAddress, sitesAddress, true, "header pair", false);
            }
        }
        else if (num == 0)
        {
            log.Add($"dyndbg:  skip {modname}");
            return new DietTable(modname, 0, num, baseIndex, tabAddress, sitesAddress, false, why, false);
        }

        var functions = 0;
        for (var i = 0; i < num; i++)
        {
            if ((ulong)(i + 1) * (ulong)l.RecordSize > tabBytes || (l.Variant == DietVariant.V6 && (ulong)(i + 1) * (ulong)l.SiteSize > siteBytes))
            {
                notes.Add($"{modname}: tab[{i}] is past the end of the array: the kernel's loop writes {num - i} more element(s) into whatever follows; not emulated");
                break;
            }

            var unit0 = Field(tab, i, l.RecordSize, l.Unit0Offset);
            m.SetField(unit0, l.Index, (uint)(baseIndex + i));
            if (l.Variant == DietVariant.V6)
            {
                // v6 32/33: sites[] becomes a stack of one record per run of equal function pointers.
                if (m.Word(Field(sites, i, l.SiteSize, l.SiteFunctionOffset)) != m.Word(Field(packedSites, packedBase, l.SiteSize, l.SiteFunctionOffset)))
                {
                    packedBase++;
                    functions++;
                    m.Copy(At(packedSites, packedBase, l.SiteSize), At(sites, i, l.SiteSize), l.SiteSize);
                }

                var unit1 = Field(tab, i, l.RecordSize, l.Unit1Offset);
                m.SetField(unit1, l.Map!.Value, (uint)packedBase);
            }
        }

        // v2pr_info("%3u debug prints in module %s\n", numdbgs, modname): the count passed in, not what was walked.
        log.Add(l.Variant == DietVariant.V6
            ? $"dyndbg: {num,3} debug prints in module {modname} (in {functions} functions)"
            : $"dyndbg: {num,3} debug prints in module {modname}");
        return new DietTable(modname, 0, num, baseIndex, tabAddress, sitesAddress, header, header ? "header pair" : why, true);
    }

    /// <summary>
    /// <c>is_dyndbg_header_pair(iter, sitep)</c> (v5 18/28, 24/28) with <c>iter</c> read through the header view
    /// (<c>union _ddebug_header</c>, 27/28), pointers compared as addresses. SITE_COND is the site-pointer test
    /// under SITE_CHK and true without it. Returns the first marker that fails.
    /// </summary>
    public static (bool Ok, string Why) HeaderPair(DietMemory m, DietLayout l, ElfLocation iter, ElfLocation sitep)
    {
        ulong Word(ElfLocation at, int off) => m.Word(Field(at, 0, 0, off));
        if (l.HasSitePointer && Word(iter, l.HeaderSiteOffset) != m.Address(sitep))
        {
            return (false, $"header.site 0x{Word(iter, l.HeaderSiteOffset):x} is not sites (0x{m.Address(sitep):x})");
        }

        var lineno = l.LineNo.Get(m.U32(Field(iter, 0, 0, l.HeaderUnit0Offset)));
        if (lineno != 0)
        {
            return (false, $"header.lineno is {lineno}");
        }

        ulong format = Word(iter, l.HeaderFormatOffset), modname = Word(sitep, l.SiteModnameOffset);
        if (format != modname)
        {
            return (false, $"header.format 0x{format:x} != site.modname 0x{modname:x}");
        }

        var function = Word(sitep, l.SiteFunctionOffset);
        if (modname != function)
        {
            return (false, $"site.modname 0x{modname:x} != site.function 0x{function:x}");
        }

        var filename = Word(sitep, l.SiteFilenameOffset);
        return filename != m.Address(iter)
            ? (false, $"site.filename 0x{filename:x} does not loop back to the header (0x{m.Address(iter):x})")
            : (true, "header pair");
    }

    private static ElfLocation At(ElfLocation start, int index, int size) => Field(start, index, size, 0);

    /// <summary>The location of byte <paramref name="offset"/> of element <paramref name="index"/> of an array of <paramref name="size"/>-byte elements.</summary>
    public static ElfLocation Field(ElfLocation start, int index, int size, int offset) =>
        start with { Offset = start.Offset + ((ulong)index * (ulong)size) + (ulong)offset };

    private static DietSiteWords[] SitesBefore(DietMemory m, DietLayout l, ElfLocation sites, ulong bytes)
    {
        var result = new DietSiteWords[(int)(bytes / (ulong)l.SiteSize)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = DietSiteWords.At(m, l, At(sites, i, l.SiteSize));
        }

        return result;
    }

    /// <summary>The NUL-terminated string at an address, or null when it is NULL or not in a loaded section.</summary>
    private static string? StringAt(DietMemory m, ulong address)
    {
        if (address == 0 || m.Locate(address) is not { } loc)
        {
            return null;
        }

        try
        {
            return m.ReadString(loc, "site modname");
        }
        catch (DiagnosticException)
        {
            return null;
        }
    }
}
