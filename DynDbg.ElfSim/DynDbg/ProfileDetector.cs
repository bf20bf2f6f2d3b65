using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Decides which <see cref="DdebugLayout"/> a table uses, from facts in the file, strongest first: the ELF class
/// and byte order; BTF's <c>struct _ddebug</c>; the kernel release (<c>vermagic</c>, <c>linux_banner</c>); the
/// section name; the record stride that relocation offsets or symbol sizes show; the class-map section and the
/// bitfield values. Conflicting facts and facts that leave two layouts open are errors (DYN003), not guesses.
/// </summary>
public static class ProfileDetector
{
    public static ProfileDecision Decide(ElfFile file, ElfMemory memory, DdebugRegion region, DdebugLayout? forced)
    {
        var p = file.PointerSize;
        var be = file.Header.IsBigEndian;
        var where = region.Origin;
        if (forced is not null)
        {
            if (forced.PointerSize != p || forced.BigEndian != be)
            {
                throw new DyndbgFormatException(DyndbgErrorIds.ProfileMismatch, file.Path, where, region.FileOffset,
                    $"--profile {forced.Name} is for {forced.PointerSize * 8}-bit {(forced.BigEndian ? "big" : "little")}-endian images, " +
                    $"this is ELF{p * 8} {(be ? "big" : "little")}-endian");
            }

            return new ProfileDecision(forced, [$"--profile {forced.Name}"], true);
        }

        var evidence = new List<string> { $"ELF{p * 8} {(be ? "big" : "little")}-endian: {p}-byte pointers" };
        var sectionName = region.Section.Name.StartsWith("__verbose", StringComparison.Ordinal) || region.Origin.Contains("__verbose")
            ? "__verbose"
            : "__dyndbg";
        var versions = sectionName == "__verbose"
            ? new HashSet<DdebugVersion> { DdebugVersion.Pre59 }
            : [DdebugVersion.V59, DdebugVersion.V61];
        evidence.Add(sectionName == "__verbose" ? "section __verbose: before 5.9" : "section __dyndbg: 5.9 or later");

        // Kernel release, where the image carries one.
        if (KernelVersionProbe.Find(file) is { } kv)
        {
            var expected = kv.ExpectedLayout;
            if (!versions.Contains(expected))
            {
                throw Undecidable(file, region,
                    $"{kv.Source} says {kv.Release} ({DdebugLayout.VersionTitle(expected)}) but the records are in {sectionName}");
            }

            versions = [expected];
            evidence.Add($"{kv.Source} {kv.Release}: {DdebugLayout.VersionTitle(expected)} layout");
        }

        bool? jumpLabel = null;
        var jlSize = DdebugLayout.Create(DdebugVersion.V61, p, be, true).RecordSize;
        var noJlSize = DdebugLayout.Create(DdebugVersion.V61, p, be, false).RecordSize;

        // BTF describes the struct exactly (vmlinux; module BTF is split and refers to vmlinux's types).
        if (BtfReader.FindStruct(file, "_ddebug") is { } btf)
        {
            if (btf.Size == jlSize || btf.Size == noJlSize)
            {
                jumpLabel = btf.Size == jlSize;
            }
            else
            {
                throw Undecidable(file, region, $"BTF struct _ddebug is {btf.Size} bytes, which no mainline profile has ({jlSize} or {noJlSize})");
            }

            var btfVersion = btf.Member("class_id") is not null ? DdebugVersion.V61 : sectionName == "__verbose" ? DdebugVersion.Pre59 : DdebugVersion.V59;
            if (!versions.Contains(btfVersion))
            {
                throw Undecidable(file, region, $"BTF struct _ddebug ({DdebugLayout.VersionTitle(btfVersion)}) contradicts {string.Join(", ", evidence.Skip(1))}");
            }

            versions = [btfVersion];
            evidence.Add($"BTF struct _ddebug: {btf.Size} bytes{(btfVersion == DdebugVersion.V61 ? ", has class_id" : ", no class_id")}");
        }

        if (jumpLabel is null)
        {
            jumpLabel = DecideRecordSize(file, memory, region, jlSize, noJlSize, evidence);
        }

        var size = jumpLabel.Value ? jlSize : noJlSize;
        if (region.Size % (ulong)size != 0)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, file.Path, where, region.FileOffset,
                $"size {region.Size} is not a whole number of {size}-byte records");
        }

        if (versions.Count > 1)
        {
            versions = [DecideClassField(file, memory, region, p, be, jumpLabel.Value, evidence)];
        }

        return new ProfileDecision(DdebugLayout.Create(versions.Single(), p, be, jumpLabel.Value), evidence, false);
    }

    private static DyndbgFormatException Undecidable(ElfFile file, DdebugRegion region, string why) =>
        new(DyndbgErrorIds.LayoutUndecidable, file.Path, region.Origin, region.FileOffset, why + "; name one with --profile");

    /// <summary>JUMP_LABEL on (true) or off, from the stride of the records.</summary>
    private static bool DecideRecordSize(ElfFile file, ElfMemory memory, DdebugRegion region, int jlSize, int noJlSize, List<string> evidence)
    {
        var p = file.PointerSize;
        if (region.Size == 0)
        {
            evidence.Add("empty table: record size does not matter, JUMP_LABEL=y assumed");
            return true;
        }

        var fits = new[] { jlSize, noJlSize }.Where(c => region.Size % (ulong)c == 0).ToArray();
        if (fits.Length == 0)
        {
            throw new DyndbgFormatException(DyndbgErrorIds.RecordSizeMismatch, file.Path, region.Origin, region.FileOffset,
                $"size {region.Size} is not a whole number of records of {jlSize} (JUMP_LABEL=y) or {noJlSize} (JUMP_LABEL=n) bytes");
        }

        if (memory is RelocatableMemory rm)
        {
            var offsets = InRegion(rm.RelocationsOf(region.Section), region);
            var count = offsets.Count();
            var byRelocs = fits.Where(c => RelocationsFit(offsets, count, c, p, region.Size)).ToArray();
            if (byRelocs.Length == 1)
            {
                evidence.Add($"relocations at +0,+{p},+{2 * p},+{3 * p} of every {byRelocs[0]}-byte record");
                return byRelocs[0] == jlSize;
            }

            if (byRelocs.Length == 0 && count > 0)
            {
                var odd = offsets.Order().FirstOrDefault(o => fits.All(c => !IsPointerSlot(o % (ulong)c, p)));
                throw new DyndbgFormatException(DyndbgErrorIds.UnexpectedRelocation, file.Path, region.Origin, region.FileOffset + odd,
                    $"{count} relocations do not sit at the four pointer fields of {string.Join(" or ", fits)}-byte records" +
                    $" (first misfit at +0x{odd:x})");
            }

            fits = byRelocs.Length > 0 ? byRelocs : fits;
        }

        if (fits.Length == 1)
        {
            evidence.Add($"size {region.Size} is a whole number of {fits[0]}-byte records only");
            return fits[0] == jlSize;
        }

        // Symbol sizes: the compiler gives every __UNIQUE_ID_ddebugN object its struct size.
        var bySymbols = SymbolSizes(file, region, fits);
        if (bySymbols is { } s)
        {
            evidence.Add($"object symbols in the table are {s} bytes each");
            return s == jlSize;
        }

        if (memory is LinkedMemory)
        {
            var byPointers = fits.Where(c => PointersResolve(memory, region, c, p)).ToArray();
            if (byPointers.Length == 1)
            {
                evidence.Add($"all four pointers of every {byPointers[0]}-byte record point at strings");
                return byPointers[0] == jlSize;
            }
        }

        throw Undecidable(file, region,
            $"records of {jlSize} and of {noJlSize} bytes both fit the {region.Size}-byte table");
    }

    /// <summary>
    /// The r_offsets that fall in the table, relative to its start, read from the index on each walk: a million-record
    /// table has four million of them (an array of them was 32 MB, issue 14).
    /// </summary>
    private static IEnumerable<ulong> InRegion(RelocationIndex all, DdebugRegion region)
    {
        for (var k = 0; k < all.Count; k++)
        {
            var o = all.OffsetAt(k);
            if (o >= region.Start && o - region.Start < region.Size)
            {
                yield return o - region.Start;
            }
        }
    }

    private static bool IsPointerSlot(ulong inRecord, int p) => inRecord % (ulong)p == 0 && inRecord < (ulong)(4 * p);

    private static bool RelocationsFit(IEnumerable<ulong> offsets, int count, int recordSize, int p, ulong size)
    {
        if ((ulong)count != size / (ulong)recordSize * 4)
        {
            return false;
        }

        foreach (var o in offsets)
        {
            if (!IsPointerSlot(o % (ulong)recordSize, p))
            {
                return false;
            }
        }

        return true;
    }

    private static int? SymbolSizes(ElfFile file, DdebugRegion region, int[] candidates)
    {
        var symtab = file.SymbolTable;
        if (symtab is null)
        {
            return null;
        }

        var linked = file.Header.Type != ElfConstants.EtRel;
        ulong lo = linked ? region.Address : region.Start, hi = lo + region.Size;
        var sizes = new HashSet<ulong>();
        foreach (var sym in symtab.Symbols)
        {
            if (sym.Type == ElfConstants.SttObject && sym.SectionIndex == (uint)region.Section.Index &&
                sym.Value >= lo && sym.Value < hi && sym.Size != 0)
            {
                sizes.Add(sym.Size);
            }
        }

        return sizes.Count == 1 && candidates.Contains((int)sizes.Single()) ? (int)sizes.Single() : null;
    }

    private static bool PointersResolve(ElfMemory memory, DdebugRegion region, int recordSize, int p)
    {
        try
        {
            for (var r = 0UL; r < region.Size; r += (ulong)recordSize)
            {
                for (var f = 0; f < 4; f++)
                {
                    var at = memory.ReadPointer(region.Section, region.Start + r + (ulong)(f * p), "probe");
                    if (at is null)
                    {
                        return false;
                    }

                    memory.ReadString(at.Value, "probe");
                }
            }

            return true;
        }
        catch (DiagnosticException)
        {
            return false;
        }
    }

    /// <summary>5.9–6.0 or 6.1+: the class-map section, else what the bitfield unit holds.</summary>
    private static DdebugVersion DecideClassField(ElfFile file, ElfMemory memory, DdebugRegion region, int p, bool be, bool jl, List<string> evidence)
    {
        var hasClasses = file.FindSection("__dyndbg_classes") is not null ||
                         (file.SymbolTable?.IndexOf("__start___dyndbg_classes") ?? -1) > 0;
        if (hasClasses)
        {
            evidence.Add("__dyndbg_classes present: 6.1+");
            return DdebugVersion.V61;
        }

        var v59 = DdebugLayout.Create(DdebugVersion.V59, p, be, jl);
        var records = region.Size / (ulong)v59.RecordSize;
        if (records == 0)
        {
            evidence.Add("empty table: 6.1 layout assumed");
            return DdebugVersion.V61;
        }

        for (var i = 0UL; i < records; i++)
        {
            var unit = memory.ReadU32(region.Section, region.Start + (i * (ulong)v59.RecordSize) + (ulong)v59.BitfieldOffset);
            // 5.9 defines flag bits 0..4 only; a 6.1 record with the default class 63 shows bits 0..5 set there.
            if (v59.Flags.Get(unit) > 0x1f)
            {
                evidence.Add($"record {i}: bits after lineno hold class_id {DdebugLayout.Create(DdebugVersion.V61, p, be, jl).ClassId!.Value.Get(unit)}: 6.1+");
                return DdebugVersion.V61;
            }
        }

        evidence.Add("no record has class_id 63 (the 6.1 default) after lineno: 5.9-6.0");
        return DdebugVersion.V59;
    }
}
