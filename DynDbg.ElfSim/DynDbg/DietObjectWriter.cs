using System.Text;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// Writes the relocatable object a diet-patched compiler produces for one translation unit, in the shape the
/// gcc/clang-built samples have (<c>samples/objs/&lt;arch&gt;/diet/&lt;variant&gt;/*.o</c>):
/// <list type="bullet">
/// <item>one SHF_MERGE|SHF_STRINGS <c>.rodata.str1.1</c> holding each distinct string once, so the header's
///   format, modname and function are the same section symbol + addend and stay equal after linking (§7.5);</item>
/// <item><c>.gnu.linkonce.dyndbg_site</c> / <c>.gnu.linkonce.dyndbg</c> with the WEAK
///   <c>_LINKONCE_dyndbg_site_header</c> / <c>_LINKONCE_dyndbg_header</c> (v5 18/28, unionized in 27/28: the
///   header is <see cref="DietLayout.HeaderSize"/> bytes) carrying the markers of §6.8;</item>
/// <item><c>__dyndbg_sites</c> and <c>__dyndbg</c> (v6 <c>__dyndbgs</c>), WA, align 8, one local STT_OBJECT per
///   record named as <c>__UNIQUE_ID(ddebug)</c> inside a function is (<c>fn.__UNIQUE_ID_ddebugN[_site]</c>);</item>
/// <item>pointer relocations of the target's type; REL targets keep the addend in the section bytes.</item>
/// </list>
/// Header values: v5 and v6 set <c>.site = &amp;_LINKONCE_dyndbg_site_header</c> (v6 28/34 always); v5-nosite's
/// <c>SITE_INIT_</c> is empty so header.site stays NULL (§6.13–6.15). Only v5 records carry a site pointer. The
/// JUMP_LABEL static key is initialised in place, (0,0) or (1,1), with no relocation, as the samples have it.
/// </summary>
public static class DietObjectWriter
{
    public const string StringSection = ".rodata.str1.1";
    public const string HeaderSymbol = "_LINKONCE_dyndbg_header";
    public const string SiteHeaderSymbol = "_LINKONCE_dyndbg_site_header";

    /// <summary>Builds the object in memory (nothing is written until the caller writes the returned writer).</summary>
    public static ElfWriter Build(CompilationUnit unit, ObjectTarget target, DietLayout layout, DietWriteOptions? options = null)
    {
        var o = options ?? DietWriteOptions.Default;
        if (layout.PointerSize != target.PointerSize || layout.BigEndian != target.BigEndian)
        {
            throw new ArgumentException($"layout {layout.Name} does not fit a {target.PointerSize * 8}-bit {(target.BigEndian ? "big" : "little")}-endian target", nameof(layout));
        }

        var n = unit.Callsites.Count;
        if (o.MisdirectedSite >= 0 && (layout.Variant != DietVariant.V5 || o.MisdirectedSite >= n || n < 2))
        {
            throw new ArgumentException("MisdirectedSite needs v5 (a site pointer) and a descriptor k with another site to point at", nameof(options));
        }

        return new Builder(unit, target, layout, o).Run();
    }

    /// <summary>Writes the object to <paramref name="path"/> whole or not at all; returns its size in bytes.</summary>
    public static long Write(string path, CompilationUnit unit, ObjectTarget target, DietLayout layout, DietWriteOptions? options = null)
    {
        Build(unit, target, layout, options).WriteFile(path);
        return new FileInfo(path).Length;
    }

    private sealed class Builder(CompilationUnit unit, ObjectTarget target, DietLayout layout, DietWriteOptions o)
    {
        private readonly ElfWriter _w = new(target.Identity);
        private readonly ElfEndian _e = new(target.BigEndian);
        private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
        private readonly MemoryStream _strBytes = new();

        private int P => layout.PointerSize;

        public ElfWriter Run()
        {
            var callsites = unit.Callsites;
            var n = callsites.Count;
            var withHeader = !o.NoHeaderPair;
            var linkonce = withHeader && o.HeaderPlacement == DietHeaderPlacement.Linkonce;
            var headerFirst = withHeader && o.HeaderPlacement == DietHeaderPlacement.BeforeRecords;
            var headerLast = withHeader && o.HeaderPlacement == DietHeaderPlacement.AfterRecords;

            // Strings in first-use order: modname first, so the header's three pointers share offset 0.
            var mod = Str(unit.ModName);
            foreach (var c in callsites)
            {
                Str(c.FileName);
                Str(c.Function);
                Str(c.Format);
            }

            var headerFormat = o.HeaderFormatDiffers ? Str(unit.ModName + " header format") : mod;
            var headerFunction = o.SiteFunctionDiffers ? Str(unit.ModName + " header function") : mod;
            var loopbackString = o.BrokenLoopback ? Str(unit.SourceName) : -1;

            // Site records: the unit's own, then the faults' extra or missing one.
            var siteOf = callsites.ToList();
            if (o.ExtraSite && n > 0)
            {
                siteOf.Add(callsites[^1]);
            }

            if (o.MissingSite && siteOf.Count > 0)
            {
                siteOf.RemoveAt(siteOf.Count - 1);
            }

            var siteSize = layout.SiteSize;
            var rec = layout.RecordSize;
            var siteBase = headerFirst ? siteSize : 0;
            var descBase = headerFirst ? layout.HeaderSize : 0;
            var sitesLen = (siteOf.Count * siteSize) + (headerFirst || headerLast ? siteSize : 0) + o.SitePadding;
            var descLen = (n * rec) + (headerFirst || headerLast ? layout.HeaderSize : 0) + o.DescriptorPadding;
            var siteHeaderAt = headerFirst ? 0 : siteOf.Count * siteSize;
            var headerAt = headerFirst ? 0 : n * rec;

            var strSec = _w.AddSection(StringSection, ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfMerge | ElfConstants.ShfStrings,
                ElfContent.Of(_strBytes.ToArray()));
            strSec.EntSize = 1;
            var siteHdrBytes = linkonce ? new byte[siteSize] : null;
            var hdrBytes = linkonce ? new byte[layout.HeaderSize] : null;
            var siteHdrSec = linkonce ? Data(DietLayout.SiteHeaderSection, siteHdrBytes!) : null;
            var hdrSec = linkonce ? Data(DietLayout.HeaderSection, hdrBytes!) : null;
            var sitesBytes = new byte[sitesLen];
            var descBytes = new byte[descLen];
            var sitesSec = sitesLen > 0 ? Data(DietLayout.SiteSection, sitesBytes) : null;
            var descSec = descLen > 0 ? Data(layout.DescriptorSection, descBytes) : null;
            _w.AddSection(".note.GNU-stack", ElfConstants.ShtProgbits, 0);

            // Symbols: the file, the section symbols relocations use, one object per record, the weak header pair.
            _w.AddSymbol(new ElfWriterSymbol(unit.SourceName, 0, 0, ElfConstants.StbLocal, ElfConstants.SttFile, null, ElfConstants.ShnAbs));
            var strSym = SectionSymbol(strSec);
            var sitesSym = sitesSec is null ? 0 : SectionSymbol(sitesSec);
            if (descSec is not null)
            {
                SectionSymbol(descSec);
            }

            for (var k = 0; k < n; k++)
            {
                _w.AddSymbol(new ElfWriterSymbol($"{callsites[k].Function}.__UNIQUE_ID_ddebug{k}", (ulong)(descBase + (k * rec)), (ulong)rec,
                    ElfConstants.StbLocal, ElfConstants.SttObject, descSec));
            }

            for (var k = 0; k < siteOf.Count; k++)
            {
                _w.AddSymbol(new ElfWriterSymbol($"{siteOf[k].Function}.__UNIQUE_ID_ddebug{k}_site", (ulong)(siteBase + (k * siteSize)), (ulong)siteSize,
                    ElfConstants.StbLocal, ElfConstants.SttObject, sitesSec));
            }

            var siteHdrSym = 0;
            var hdrSym = 0;
            if (withHeader)
            {
                siteHdrSym = _w.AddSymbol(new ElfWriterSymbol(SiteHeaderSymbol, linkonce ? 0 : (ulong)siteHeaderAt, (ulong)siteSize,
                    ElfConstants.StbWeak, ElfConstants.SttObject, linkonce ? siteHdrSec : sitesSec));
                hdrSym = _w.AddSymbol(new ElfWriterSymbol(HeaderSymbol, linkonce ? 0 : (ulong)headerAt, (ulong)layout.HeaderSize,
                    ElfConstants.StbWeak, ElfConstants.SttObject, linkonce ? hdrSec : descSec));
            }

            var siteRel = new List<ElfWriterRelocation>();
            var descRel = new List<ElfWriterRelocation>();
            for (var k = 0; k < siteOf.Count; k++)
            {
                var at = siteBase + (k * siteSize);
                var s = siteOf[k];
                Pointer(sitesBytes, siteRel, at + layout.SiteModnameOffset, strSym, Str(s.ModName));
                Pointer(sitesBytes, siteRel, at + layout.SiteFilenameOffset, strSym, Str(s.FileName));
                Pointer(sitesBytes, siteRel, at + layout.SiteFunctionOffset, strSym, Str(s.Function));
            }

            for (var k = 0; k < n; k++)
            {
                var at = descBase + (k * rec);
                var c = callsites[k];
                if (layout.HasSitePointer)
                {
                    var site = k == o.MisdirectedSite ? (k + 1) % n : k;
                    Pointer(descBytes, descRel, at + layout.SitePointerOffset, sitesSym, siteBase + (site * siteSize));
                }

                Pointer(descBytes, descRel, at + layout.FormatOffset, strSym, Str(c.Format));
                Units(descBytes.AsSpan(at), c.LineNo, c.Flags, layout.Unit0Offset, layout.Unit1Offset);
                if (layout.JumpLabel && c.KeyEnabled)
                {
                    // static_key { atomic_t enabled; union { unsigned long type; ... } }: STATIC_KEY_INIT_TRUE.
                    _e.Put32(descBytes.AsSpan(at + layout.KeyOffset), 1);
                    _e.PutWord(descBytes.AsSpan(at + layout.KeyOffset + P), 1, P);
                }
            }

            if (withHeader)
            {
                var (sb, sr, sAt) = linkonce ? (siteHdrBytes!, new List<ElfWriterRelocation>(), 0) : (sitesBytes, siteRel, siteHeaderAt);
                var (hb, hr, hAt) = linkonce ? (hdrBytes!, new List<ElfWriterRelocation>(), 0) : (descBytes, descRel, headerAt);
                Pointer(sb, sr, sAt + layout.SiteModnameOffset, strSym, mod);
                if (o.BrokenLoopback)
                {
                    Pointer(sb, sr, sAt + layout.SiteFilenameOffset, strSym, loopbackString);
                }
                else
                {
                    Pointer(sb, sr, sAt + layout.SiteFilenameOffset, hdrSym, 0);
                }

                Pointer(sb, sr, sAt + layout.SiteFunctionOffset, strSym, headerFunction);
                if (layout.Variant != DietVariant.V5NoSite)
                {
                    Pointer(hb, hr, hAt + layout.HeaderSiteOffset, siteHdrSym, o.HeaderSiteToSecond ? siteSize : 0);
                }

                Pointer(hb, hr, hAt + layout.HeaderFormatOffset, strSym, headerFormat);
                Units(hb.AsSpan(hAt), o.HeaderLineNo, 0, layout.HeaderUnit0Offset, layout.HeaderUnit0Offset + 4);
                if (linkonce)
                {
                    Relocate(siteHdrSec!, sr);
                    Relocate(hdrSec!, hr);
                }
            }

            if (sitesSec is not null)
            {
                Relocate(sitesSec, siteRel);
            }

            if (descSec is not null)
            {
                Relocate(descSec, descRel);
            }

            return _w;
        }

        private ElfWriterSection Data(string name, byte[] bytes)
        {
            var s = _w.AddSection(name, ElfConstants.ShtProgbits, ElfConstants.ShfWrite | ElfConstants.ShfAlloc, ElfContent.Of(bytes));
            s.AddrAlign = 8;
            return s;
        }

        private int SectionSymbol(ElfWriterSection s) =>
            _w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, s));

        /// <summary>The offset of <paramref name="s"/> in the string section, adding it on first use.</summary>
        private int Str(string s)
        {
            if (!_strings.TryGetValue(s, out var at))
            {
                at = checked((int)_strBytes.Length);
                _strings[s] = at;
                _strBytes.Write(Encoding.UTF8.GetBytes(s));
                _strBytes.WriteByte(0);
            }

            return at;
        }

        /// <summary>A data pointer at <paramref name="offset"/>: RELA keeps the addend in the entry and zero bytes
        /// under it (§8.2), REL stores it in place.</summary>
        private void Pointer(byte[] bytes, List<ElfWriterRelocation> rel, int offset, int symbol, long addend)
        {
            if (target.Rela)
            {
                rel.Add(new ElfWriterRelocation((ulong)offset, symbol, target.PointerRelocation, addend));
            }
            else
            {
                _e.PutWord(bytes.AsSpan(offset), (ulong)addend, P);
                rel.Add(new ElfWriterRelocation((ulong)offset, symbol, target.PointerRelocation));
            }
        }

        /// <summary>The two bitfield units: lineno:18 + _index:14 (index 0 until load), then [v6 _map:14] flags:8.</summary>
        private void Units(Span<byte> record, uint lineNo, uint flags, int unit0, int unit1)
        {
            var u0 = (lineNo & layout.LineNo.Mask) << layout.LineNo.Shift;
            var u1 = (flags & layout.Flags.Mask) << layout.Flags.Shift;
            _e.Put32(record[unit0..], u0);
            _e.Put32(record[unit1..], u1);
        }

        private void Relocate(ElfWriterSection s, List<ElfWriterRelocation> rel)
        {
            if (rel.Count > 0)
            {
                _w.AddRelocations(s, target.Rela, [.. rel.OrderBy(r => r.Offset)]);
            }
        }
    }
}
