using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>One callsite as GNU readelf's output says it is.</summary>
public sealed record OracleRecord(int Index, string Modname, string Function, string Filename, string Format, uint LineNo);

/// <summary>A module's <c>__dyndbg</c> reconstructed from readelf: record stride, relocation count, records.</summary>
public sealed record OracleTable(string Path, int RecordSize, int Relocations, IReadOnlyList<OracleRecord> Records);

/// <summary>A symbol as <c>readelf -W -s</c> prints it (Ndx kept as text: UND, ABS, COM or a number).</summary>
public sealed record ReadelfSymbol(int Num, ulong Value, string Type, string Ndx, string Name);

/// <summary>
/// An oracle for <c>__dyndbg</c> tables that shares no code with the library: it runs GNU <c>readelf</c> (which
/// reads every ELF machine, whatever the host) and rebuilds each record's strings from its text output only:
/// section headers (<c>-S</c>), the relocations against <c>__dyndbg</c> (<c>-r</c>), the symbols they name
/// (<c>-s</c>) and hex dumps (<c>-x</c>) of <c>__dyndbg</c> and the string sections. Outputs are cached in memory.
/// </summary>
public static partial class ReadelfOracle
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Outputs = new(StringComparer.Ordinal);

    private sealed record Section(int Index, string Name, string Type, ulong Offset, ulong Size, string Flags, int Link, int Info, ulong Align);

    private sealed record Reloc(ulong Offset, ulong Info, string Type, long? Addend, List<string> ExtraTypes);

    /// <summary>Decodes the <c>__dyndbg</c> table of the relocatable object at <paramref name="path"/>.</summary>
    public static OracleTable DecodeModule(string path)
    {
        var t = Targets(path);
        var strings = new string?[t.Count, 4];
        var dumps = new Dictionary<int, byte[]>();
        foreach (var p in t.Pointers)
        {
            if (!dumps.TryGetValue(p.Section, out var target))
            {
                target = HexDump(path, p.Section);
                dumps[p.Section] = target;
            }

            strings[p.Record, p.Field] = CString(path, target, p.At, t.Sections[p.Section].Name);
        }

        var records = new OracleRecord[t.Count];
        for (var i = 0; i < t.Count; i++)
        {
            // lineno is the first bitfield of the 32-bit unit after the pointers: bits 0-17 on little-endian
            // targets, the top 18 bits on big-endian ones (GCC allocates bitfields from the MSB there).
            var unit = (uint)ReadSigned(t.Table, (i * t.Stride) + (4 * t.PointerSize), 4, t.BigEndian);
            var lineNo = t.BigEndian ? unit >> 14 : unit & 0x3ffff;
            records[i] = new OracleRecord(i, strings[i, 0]!, strings[i, 1]!, strings[i, 2]!, strings[i, 3]!, lineNo);
        }

        return new OracleTable(path, t.Stride, t.Pointers.Count, records);
    }

    /// <summary>
    /// Per record and pointer field (modname, function, filename, format) of <c>__dyndbg</c>: the parity of the
    /// final address where the object alone decides it, null where it does not. The relocation's S + A (section
    /// offset) is odd or even; the section's base is even whenever its <c>sh_addralign</c> is 2 or more, since the
    /// module loader places every section at its alignment on a page-aligned allocation.
    /// </summary>
    public static bool?[,] DyndbgPointerParities(string path)
    {
        var t = Targets(path);
        var odd = new bool?[t.Count, 4];
        foreach (var p in t.Pointers)
        {
            odd[p.Record, p.Field] = t.Sections[p.Section].Align >= 2 ? (p.At & 1) != 0 : null;
        }

        return odd;
    }

    private sealed record PointerTarget(int Record, int Field, int Section, long At);

    private sealed record TableTargets(int Count, int Stride, int PointerSize, bool BigEndian, byte[] Table,
        Dictionary<int, Section> Sections, List<PointerTarget> Pointers);

    /// <summary>Every pointer relocation of <c>__dyndbg</c>: which record and field it fills, the target section and S + A in it.</summary>
    private static TableTargets Targets(string path)
    {
        var (is64, bigEndian) = Header(path);
        var ptr = is64 ? 8 : 4;
        var sections = SectionHeaders(path);
        var dyndbg = sections.Values.Where(s => s.Name == "__dyndbg").MinBy(s => s.Index)
                     ?? throw Bad(path, "readelf -S lists no __dyndbg section");
        var relSecs = sections.Values.Where(s => s.Type is "REL" or "RELA" && s.Info == dyndbg.Index).ToArray();
        if (relSecs.Length != 1)
        {
            throw Bad(path, $"expected one relocation section against __dyndbg [{dyndbg.Index}], readelf -S lists {relSecs.Length}");
        }

        var relSec = relSecs[0];
        var relocs = Relocations(path, relSec);
        var symtabName = sections.TryGetValue(relSec.Link, out var st) ? st.Name : throw Bad(path, $"{relSec.Name} sh_link {relSec.Link} is not a section");
        var symbols = Symbols(path, symtabName);
        var table = HexDump(path, dyndbg.Index);
        if ((ulong)table.Length != dyndbg.Size)
        {
            throw Bad(path, $"hex dump of __dyndbg has {table.Length} bytes, readelf -S says 0x{dyndbg.Size:x}");
        }

        if (relocs.Count % 4 != 0 || relocs.Count == 0)
        {
            throw Bad(path, $"{relocs.Count} relocations against __dyndbg: not 4 per record");
        }

        var count = relocs.Count / 4;
        if (dyndbg.Size % (ulong)count != 0)
        {
            throw Bad(path, $"__dyndbg size 0x{dyndbg.Size:x} is not {count} equal records");
        }

        var stride = (int)(dyndbg.Size / (ulong)count);
        var seen = new bool[count, 4];
        var pointers = new List<PointerTarget>(relocs.Count);
        foreach (var r in relocs)
        {
            var record = (int)(r.Offset / (ulong)stride);
            var inRecord = (int)(r.Offset % (ulong)stride);
            if (inRecord % ptr != 0 || inRecord / ptr > 3)
            {
                throw Bad(path, $"relocation at 0x{r.Offset:x} is not at a pointer field of a {stride}-byte record");
            }

            if (r.ExtraTypes.Any(t => t != "R_MIPS_NONE"))
            {
                throw Bad(path, $"relocation at 0x{r.Offset:x} composes {r.Type} with {string.Join("/", r.ExtraTypes)}");
            }

            // ELF64 r_info = sym << 32 | type (readelf prints MIPS64EL's byte-swizzled r_info in this form too);
            // ELF32 r_info = sym << 8 | type.
            var symIndex = (int)(is64 ? r.Info >> 32 : r.Info >> 8);
            var sym = symIndex < symbols.Count ? symbols[symIndex] : throw Bad(path, $"relocation at 0x{r.Offset:x}: symbol {symIndex} out of range");
            if (!int.TryParse(sym.Ndx, NumberStyles.None, CultureInfo.InvariantCulture, out var ndx))
            {
                throw Bad(path, $"relocation at 0x{r.Offset:x} is against symbol '{sym.Name}' with Ndx {sym.Ndx}");
            }

            // REL (i386, armhf): the addend is the word already at the place.
            var addend = r.Addend ?? ReadSigned(table, (int)r.Offset, ptr, bigEndian);
            var field = inRecord / ptr;
            if (seen[record, field])
            {
                throw Bad(path, $"two relocations at 0x{r.Offset:x}");
            }

            seen[record, field] = true;
            pointers.Add(new PointerTarget(record, field, ndx, (long)sym.Value + addend));
        }

        return new TableTargets(count, stride, ptr, bigEndian, table, sections, pointers);
    }

    /// <summary>The symbols of the first symbol table named <paramref name="tableName"/> in <c>readelf -W -s</c>.</summary>
    public static IReadOnlyList<ReadelfSymbol> Symbols(string path, string tableName = ".symtab")
    {
        var result = new List<ReadelfSymbol>();
        var inTable = false;
        foreach (var line in Run(path, "-W", "-s").AsSpan().EnumerateLines())
        {
            if (line.StartsWith("Symbol table '"))
            {
                if (inTable)
                {
                    break;
                }

                inTable = line.StartsWith($"Symbol table '{tableName}'");
                continue;
            }

            if (!inTable)
            {
                continue;
            }

            var m = SymbolLine().Match(line.ToString());
            if (m.Success)
            {
                result.Add(new ReadelfSymbol(int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture), Hex(m.Groups[2].Value),
                    m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value));
            }
        }

        if (result.Count == 0)
        {
            throw Bad(path, $"readelf -s printed no symbol table '{tableName}'");
        }

        for (var i = 0; i < result.Count; i++)
        {
            if (result[i].Num != i)
            {
                throw Bad(path, $"symbol table line {i} is numbered {result[i].Num}");
            }
        }

        return result;
    }

    /// <summary>
    /// The relocations of the given type names (e.g. R_AARCH64_CALL26) in every RELA section of a 64-bit object whose
    /// target section is executable (flag X in <c>readelf -S</c>), with the target's index and name and, for each
    /// entry, the symbol index (r_info &gt;&gt; 32), the addend and the symbol's Ndx from <c>readelf -s</c>.
    /// </summary>
    public static IReadOnlyList<ReadelfCodeRelocations> RelocationsIntoCode(string path, params string[] types)
    {
        var sections = SectionHeaders(path);
        var result = new List<ReadelfCodeRelocations>();
        foreach (var rs in sections.Values.Where(s => s.Type == "RELA").OrderBy(s => s.Index))
        {
            if (!sections.TryGetValue(rs.Info, out var target) || !target.Flags.Contains('X', StringComparison.Ordinal) || rs.Size == 0)
            {
                continue;
            }

            var symbols = Symbols(path, sections[rs.Link].Name).ToDictionary(y => y.Num);
            var entries = Relocations(path, rs)
                .Where(r => types.Contains(r.Type))
                .Select(r => new ReadelfBranch(r.Type, (int)(r.Info >> 32), r.Addend ?? 0, symbols[(int)(r.Info >> 32)].Ndx))
                .ToList();
            result.Add(new ReadelfCodeRelocations(target.Index, target.Name, entries));
        }

        return result;
    }

    /// <summary>
    /// 32-bit ARM (SHT_REL): the ARM-state branch relocations (R_ARM_CALL, R_ARM_JUMP24, R_ARM_PC24) into each
    /// executable section, from <c>readelf -r</c>, <c>-s</c> and, for the implicit addends, <c>-x</c> of the relocated
    /// section: the addend is the instruction's signed 24-bit word offset plus the PC bias of 8, so a branch to the
    /// symbol itself (encoded 0xfffffe) has addend 0.
    /// </summary>
    public static IReadOnlyList<ReadelfCodeRelocations> ArmBranchesIntoCode(string path)
    {
        string[] types = ["R_ARM_CALL", "R_ARM_JUMP24", "R_ARM_PC24"];
        var sections = SectionHeaders(path);
        var result = new List<ReadelfCodeRelocations>();
        foreach (var rs in sections.Values.Where(s => s.Type == "REL").OrderBy(s => s.Index))
        {
            if (!sections.TryGetValue(rs.Info, out var target) || !target.Flags.Contains('X', StringComparison.Ordinal) || rs.Size == 0)
            {
                continue;
            }

            var symbols = Symbols(path, sections[rs.Link].Name).ToDictionary(y => y.Num);
            var text = HexDump(path, target.Index);
            var entries = new List<ReadelfBranch>();
            foreach (var r in Relocations(path, rs).Where(r => types.Contains(r.Type)))
            {
                var at = (int)r.Offset;
                var field = (int)(BitConverter.ToUInt32(text, at) & 0xffffff);
                var words = (field ^ 0x800000) - 0x800000; // sign-extend the 24-bit word offset
                entries.Add(new ReadelfBranch(r.Type, (int)(r.Info >> 8), (words * 4L) + 8, symbols[(int)(r.Info >> 8)].Ndx));
            }

            result.Add(new ReadelfCodeRelocations(target.Index, target.Name, entries));
        }

        return result;
    }

    /// <summary>Runs readelf (LC_ALL=C for stable text), once per file and argument list.</summary>
    public static string Run(string path, params string[] args)
    {
        Tools.Require("readelf");
        var key = path + "\0" + string.Join('\0', args);
        return Outputs.GetOrAdd(key, _ => new Lazy<string>(() => Execute(path, args))).Value;
    }

    private static string Execute(string path, string[] args)
    {
        var psi = new ProcessStartInfo("readelf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["LC_ALL"] = "C";
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add(path);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run GNU readelf ({e.Message}); install binutils", e);
        }

        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"readelf {string.Join(' ', args)} {path} exited {p.ExitCode}: {stderr.Result.Trim()}");
            }

            return stdout;
        }
    }

    private static (bool Is64, bool BigEndian) Header(string path)
    {
        var text = Run(path, "-W", "-h");
        var cls = HeaderField().Matches(text).FirstOrDefault(m => m.Groups[1].Value == "Class")?.Groups[2].Value;
        var data = HeaderField().Matches(text).FirstOrDefault(m => m.Groups[1].Value == "Data")?.Groups[2].Value;
        return (cls switch
        {
            "ELF64" => true,
            "ELF32" => false,
            _ => throw Bad(path, $"readelf -h Class '{cls}'"),
        }, data switch
        {
            { } d when d.Contains("big endian", StringComparison.Ordinal) => true,
            { } d when d.Contains("little endian", StringComparison.Ordinal) => false,
            _ => throw Bad(path, $"readelf -h Data '{data}'"),
        });
    }

    private static Dictionary<int, Section> SectionHeaders(string path)
    {
        var result = new Dictionary<int, Section>();
        foreach (Match m in SectionLine().Matches(Run(path, "-W", "-S")))
        {
            var index = int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            result[index] = new Section(index, m.Groups[2].Value, m.Groups[3].Value, Hex(m.Groups[5].Value), Hex(m.Groups[6].Value), m.Groups[8].Value,
                int.Parse(m.Groups[9].ValueSpan, CultureInfo.InvariantCulture), int.Parse(m.Groups[10].ValueSpan, CultureInfo.InvariantCulture),
                ulong.Parse(m.Groups[11].ValueSpan, CultureInfo.InvariantCulture));
        }

        return result.Count > 0 ? result : throw Bad(path, "readelf -S printed no section headers");
    }

    /// <summary>The entries of one relocation section, found by its file offset in the "Relocation section" title.</summary>
    private static List<Reloc> Relocations(string path, Section relSec)
    {
        var title = $"Relocation section '{relSec.Name}' at offset 0x{relSec.Offset:x} contains ";
        var result = new List<Reloc>();
        var inSection = false;
        foreach (var raw in Run(path, "-W", "-r").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("Relocation section '", StringComparison.Ordinal))
            {
                if (inSection)
                {
                    break;
                }

                inSection = line.StartsWith(title, StringComparison.Ordinal);
                continue;
            }

            if (!inSection || line.Length == 0)
            {
                continue;
            }

            // MIPS64 entries carry r_type2/r_type3 on continuation lines: "                    Type2: R_MIPS_NONE".
            var extra = ExtraType().Match(line);
            if (extra.Success)
            {
                (result.Count > 0 ? result[^1].ExtraTypes : throw Bad(path, $"orphan '{line.Trim()}' line")).Add(extra.Groups[1].Value);
                continue;
            }

            var m = RelocLine().Match(line);
            if (!m.Success)
            {
                continue; // the column title line
            }

            long? addend = null;
            if (relSec.Type == "RELA")
            {
                var a = Addend().Match(m.Groups[4].Value);
                if (!a.Success)
                {
                    throw Bad(path, $"RELA entry without a printed addend: '{line}'");
                }

                var magnitude = (long)Hex(a.Groups[2].Value);
                addend = a.Groups[1].Value == "-" ? -magnitude : magnitude;
            }

            result.Add(new Reloc(Hex(m.Groups[1].Value), Hex(m.Groups[2].Value), m.Groups[3].Value, addend, []));
        }

        return result.Count > 0 ? result : throw Bad(path, $"readelf -r printed no entries for '{relSec.Name}'");
    }

    /// <summary>
    /// The bytes of a section from <c>readelf -x</c>: lines "  0xADDR hhhhhhhh hhhhhhhh hhhhhhhh hhhhhhhh  ascii",
    /// the four 8-digit groups (36 columns with their spaces, padded on the last line) following the address.
    /// </summary>
    private static byte[] HexDump(string path, int index)
    {
        var bytes = new List<byte>();
        ulong? first = null;
        foreach (var line in Run(path, "-W", "-x", index.ToString(CultureInfo.InvariantCulture)).Split('\n'))
        {
            if (!line.StartsWith("  0x", StringComparison.Ordinal))
            {
                continue; // title, the "NOTE: ... relocations ... NOT been applied" line, blank lines
            }

            var space = line.IndexOf(' ', 4);
            var address = Hex(line[4..space]);
            first ??= address;
            if (address - first.Value != (ulong)bytes.Count)
            {
                throw Bad(path, $"hex dump of section {index} jumps to 0x{address:x}");
            }

            var groups = line.Substring(space + 1, Math.Min(36, line.Length - space - 1)).Replace(" ", "", StringComparison.Ordinal);
            bytes.AddRange(Convert.FromHexString(groups));
        }

        return [.. bytes];
    }

    private static string CString(string path, byte[] section, long at, string sectionName)
    {
        if (at < 0 || at >= section.Length)
        {
            throw Bad(path, $"string at {sectionName}+0x{at:x} is outside its {section.Length} bytes");
        }

        var end = Array.IndexOf(section, (byte)0, (int)at);
        if (end < 0)
        {
            throw Bad(path, $"string at {sectionName}+0x{at:x} has no NUL");
        }

        return Encoding.UTF8.GetString(section, (int)at, end - (int)at);
    }

    private static long ReadSigned(byte[] data, int offset, int width, bool bigEndian)
    {
        var span = data.AsSpan(offset, width);
        return (width, bigEndian) switch
        {
            (4, false) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span),
            (4, true) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(span),
            (8, false) => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(span),
            _ => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(span),
        };
    }

    private static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static InvalidOperationException Bad(string path, string message) => new($"readelf oracle: {path}: {message}");

    [GeneratedRegex(@"^\s*(Class|Data):\s+(.*?)\s*$", RegexOptions.Multiline)]
    private static partial Regex HeaderField();

    // "  [41] __dyndbg  PROGBITS  0000000000000000 0051c0 000460 00  WA  0   0  8" (Flg may be empty)
    [GeneratedRegex(@"^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SectionLine();

    // "0000000000000000  0000000600000001 R_X86_64_64  0000000000000000 .rodata.str1.1 + d9"
    [GeneratedRegex(@"^([0-9a-f]+)\s+([0-9a-f]+)\s+(R_\S+)\s*(.*)$")]
    private static partial Regex RelocLine();

    [GeneratedRegex(@"^\s+Type[23]:\s+(\S+)")]
    private static partial Regex ExtraType();

    [GeneratedRegex(@"([+-]) ([0-9a-f]+)$")]
    private static partial Regex Addend();

    // "    5: 0000000000000000     0 SECTION LOCAL  DEFAULT   11 .rodata"; Vis may be followed by "[...]"
    // (ppc64 local entry, MIPS16/microMIPS), Name may be empty.
    [GeneratedRegex(@"^\s*(\d+):\s+([0-9a-f]+)\s+\S+\s+(\S+)\s+\S+\s+\S+(?:\s+\[[^\]]*\])?\s+(\S+)(?: (.*))?$")]
    private static partial Regex SymbolLine();
}
