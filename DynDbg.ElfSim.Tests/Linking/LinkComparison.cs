using System.Text.RegularExpressions;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Linking;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Links the same inputs under the same script with <c>ld.bfd -r -T</c> and with the engine, then compares what an
/// engineer would: the exit verdict, <c>readelf -W -S -s -r</c> of both outputs with file offsets removed (section
/// order, names, types, flags, addresses, sizes, alignment, entsize, links; every symbol with its value, size, type,
/// binding, visibility, section and index; every relocation with offset, type, symbol and addend), every input
/// section's address and size from ld's <c>-Map</c>, the map text itself, and the bytes of every section; when all of
/// those agree, the two output files must be identical byte for byte (file layout, string tables, padding), and the
/// first differing byte is named otherwise.
/// </summary>
public static partial class LinkComparison
{
    public sealed record Outcome(bool LdOk, bool OursOk, string LdError, string OurError, List<string> Differences,
        bool ElfTextIdentical, bool MapTextIdentical, int InputSections, int Sections, int Symbols, int Relocations)
    {
        public bool Agrees => Differences.Count == 0;

        /// <summary>A case ld may refuse: the differences and both errors go to the test log, ld's verdict must be the
        /// one expected, both linkers must agree, and when ld links, the readelf text must be identical.</summary>
        public void ShouldMatchLd(bool ldFails)
        {
            foreach (var d in Differences)
            {
                TestContext.Out.WriteLine("  " + d);
            }

            TestContext.Out.WriteLine($"ld: {LdError}\nours: {OurError}");
            LdOk.Should().Be(!ldFails, LdError);
            Agrees.Should().BeTrue();
            if (!ldFails)
            {
                ElfTextIdentical.Should().BeTrue();
            }
        }
    }

    /// <summary>The GNU ld that links <paramref name="machine"/> objects here and its emulation (ld's -m): the native
    /// ld.bfd for x86_64, Debian's binutils-&lt;triplet&gt; packages for the others.</summary>
    public static (string Ld, string Emulation) Ld(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 => ("ld.bfd", "elf_x86_64"),
        ElfMachine.I386 => ("i686-linux-gnu-ld.bfd", "elf_i386"),
        ElfMachine.S390 => ("s390x-linux-gnu-ld.bfd", "elf64_s390"),
        ElfMachine.Arm => ("arm-linux-gnueabihf-ld.bfd", "armelf_linux_eabi"),
        ElfMachine.AArch64 => ("aarch64-linux-gnu-ld.bfd", "aarch64linux"),
        ElfMachine.Ppc64 => ("powerpc64le-linux-gnu-ld.bfd", "elf64lppc"),
        ElfMachine.Mips => ("mips64el-linux-gnuabi64-ld.bfd", "elf64ltsmip"),
        ElfMachine.RiscV => ("riscv64-linux-gnu-ld.bfd", "elf64lriscv"),
        _ => throw new ArgumentOutOfRangeException(nameof(machine), $"no GNU ld for {machine} is wired up"),
    };

    /// <summary>Fails (CI) or skips (locally) the test unless <see cref="Ld"/>'s linker for the machine and readelf are installed.</summary>
    public static void RequireLd(ElfMachine machine) => Tools.Require(Ld(machine).Ld, "readelf");

    /// <summary>Runs both links in <paramref name="dir"/> with inputs named as given (relative to it). With
    /// <paramref name="demangle"/> (the default, as ld's) both maps demangle C++ names; otherwise both get --no-demangle.</summary>
    public static Outcome Run(string dir, string script, IReadOnlyList<string> inputs, ElfMachine machine, string tag = "", bool demangle = true)
    {
        var ldOut = Path.Combine(dir, $"ld{tag}.o");
        var ldMap = Path.Combine(dir, $"ld{tag}.map");
        var ourOut = Path.Combine(dir, $"our{tag}.o");
        var ourMap = Path.Combine(dir, $"our{tag}.map");
        File.Delete(ldOut);
        File.Delete(ourOut);
        var (ld, emulation) = Ld(machine);
        var args = new List<string> { "-r", "-m", emulation, demangle ? "--demangle" : "--no-demangle", "-T", script, "-Map", ldMap, "-o", ldOut };
        args.AddRange(inputs);
        var (code, _, ldErr) = Tools.RunIn(dir, ld, [.. args]);
        var ldOk = code == 0 && File.Exists(ldOut);

        string ourError = "";
        LinkResult? result = null;
        var files = new List<(string, ElfFile)>();
        try
        {
            var parsed = ScriptParser.ParseFile(Path.Combine(dir, script));
            foreach (var i in inputs)
            {
                files.Add((i, ElfFile.Open(Path.Combine(dir, i))));
            }

            result = Linker.Link(parsed, files, new LinkOptions(ldOut, Demangle: demangle));
            File.WriteAllText(ourMap, result.Map());
            result.ToElf().WriteFile(ourOut);
        }
        catch (DiagnosticException e)
        {
            ourError = e.OneLine;
            result = null;
        }
        finally
        {
            foreach (var (_, f) in files)
            {
                f.Dispose();
            }
        }

        var diffs = new List<string>();
        var oursOk = result is not null;
        if (ldOk != oursOk)
        {
            diffs.Add(ldOk ? $"ld succeeded, the engine failed: {ourError}" : $"ld failed ({ldErr.Trim()}), the engine succeeded");
        }

        if (!ldOk || !oursOk)
        {
            return new Outcome(ldOk, oursOk, ldErr.Trim(), ourError, diffs, false, false, 0, 0, 0, 0);
        }

        var ldText = Normalize(Tools.Run("readelf", "-W", "-S", "-s", "-r", ldOut).Out);
        var ourText = Normalize(Tools.Run("readelf", "-W", "-S", "-s", "-r", ourOut).Out);
        var elfSame = ldText == ourText;
        if (!elfSame)
        {
            diffs.AddRange(LineDiff("readelf", ldText, ourText));
        }

        var ldMapText = StripOutputLine(File.ReadAllText(ldMap));
        var ourMapText = StripOutputLine(File.ReadAllText(ourMap));
        var mapSame = ldMapText == ourMapText;
        var ldInputs = MapInputSections(ldMapText);
        var ourInputs = MapInputSections(ourMapText);
        if (!ldInputs.SequenceEqual(ourInputs))
        {
            diffs.AddRange(LineDiff("map input sections", string.Join('\n', ldInputs), string.Join('\n', ourInputs)));
        }
        else if (!mapSame)
        {
            diffs.AddRange(LineDiff("map text", ldMapText, ourMapText));
        }

        diffs.AddRange(CompareContents(ldOut, ourOut));
        if (diffs.Count == 0)
        {
            // Everything readelf shows agrees: then the files themselves must be the same, byte for byte (section
            // offsets, the string tables' order, padding, the section header table).
            diffs.AddRange(CompareFiles(ldOut, ourOut));
        }

        using var lf = ElfFile.Open(ldOut);
        var relocs = lf.Sections.Where(s => s.IsRelocation).Sum(s => (int)(s.Size / Math.Max(1, s.EntSize)));
        return new Outcome(true, true, "", "", diffs, elfSame, mapSame, ldInputs.Count, lf.Sections.Count,
            lf.SymbolTable?.Count ?? 0, relocs);
    }

    /// <summary>readelf text without file offsets (the two writers lay out the file differently; nothing else may differ).</summary>
    public static string Normalize(string readelf)
    {
        var lines = new List<string>();
        foreach (var raw in readelf.Split('\n'))
        {
            var line = OffsetAt().Replace(raw, "");
            line = StartingAt().Replace(line, "starting at OFF");
            var m = SectionRow().Match(line);
            if (m.Success)
            {
                var parts = m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
                if (parts.Count >= 9)
                {
                    parts.RemoveAt(3);
                    line = m.Groups[1].Value + string.Join(' ', parts);
                }
            }

            lines.Add(line.TrimEnd());
        }

        return string.Join('\n', lines);
    }

    /// <summary>The first byte where the two output files differ, named by the part of the file it is in.</summary>
    private static IEnumerable<string> CompareFiles(string ldOut, string ourOut)
    {
        var x = File.ReadAllBytes(ldOut);
        var y = File.ReadAllBytes(ourOut);
        var at = x.AsSpan().CommonPrefixLength(y);
        if (at == x.Length && at == y.Length)
        {
            yield break;
        }

        using var f = ElfFile.Open(ldOut);
        var where = at < (f.Header.Is64 ? 64 : 52) ? "the ELF header"
            : f.Sections.FirstOrDefault(s => !s.IsNoBits && (ulong)at >= s.Offset && (ulong)at < s.Offset + s.Size) is { } s
                ? $"section [{s.Index}] {s.Name}"
                : (ulong)at >= f.Header.ShOff ? "the section header table" : "padding between sections";
        yield return $"output files differ first at byte 0x{at:x}, in {where} (ld {x.Length} bytes, engine {y.Length})";
    }

    private static string StripOutputLine(string map) => OutputLine().Replace(map, "OUTPUT(...)");

    /// <summary>Input-section rows of the "Linker script and memory map" part: name, address, size, file.</summary>
    public static List<string> MapInputSections(string map)
    {
        var start = map.IndexOf("Linker script and memory map", StringComparison.Ordinal);
        var lines = map[(start < 0 ? 0 : start)..].Split('\n');
        var rows = new List<string>();
        string? pendingName = null;
        foreach (var l in lines)
        {
            if (pendingName is not null)
            {
                var cont = ContinuedInput().Match(l);
                var name = pendingName;
                pendingName = null;
                if (cont.Success)
                {
                    rows.Add($"{name} {cont.Groups[1].Value} {cont.Groups[2].Value} {cont.Groups[3].Value}");
                    continue;
                }
            }

            var m = InputRow().Match(l);
            if (m.Success)
            {
                rows.Add($"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value} {m.Groups[4].Value}");
            }
            else if (LongInputName().Match(l) is { Success: true } n)
            {
                pendingName = n.Groups[1].Value;
            }
        }

        return rows;
    }

    private static IEnumerable<string> CompareContents(string ldOut, string ourOut)
    {
        using var a = ElfFile.Open(ldOut);
        using var b = ElfFile.Open(ourOut);
        foreach (var s in a.Sections)
        {
            if (s.IsNoBits || s.Type is ElfConstants.ShtSymtab or ElfConstants.ShtStrtab || s.IsRelocation || s.Index == 0)
            {
                continue;
            }

            var t = s.Index < b.Sections.Count ? b.Sections[s.Index] : null;
            if (t is null || t.Name != s.Name)
            {
                continue;
            }

            var x = a.GetContents(s);
            var y = b.GetContents(t);
            if (!x.SequenceEqual(y))
            {
                var at = 0;
                while (at < Math.Min(x.Length, y.Length) && x[at] == y[at])
                {
                    at++;
                }

                yield return $"contents of [{s.Index}] {s.Name} differ first at +0x{at:x} (ld {x.Length} bytes, engine {y.Length})";
            }
        }
    }

    private static IEnumerable<string> LineDiff(string what, string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var n = Math.Max(e.Length, a.Length);
        var shown = 0;
        for (var i = 0; i < n && shown < 12; i++)
        {
            var x = i < e.Length ? e[i] : "<none>";
            var y = i < a.Length ? a[i] : "<none>";
            if (x != y)
            {
                shown++;
                yield return $"{what} line {i + 1}:\n    ld:     {x}\n    engine: {y}";
            }
        }
    }

    [GeneratedRegex(@" at offset 0x[0-9a-f]+")]
    private static partial Regex OffsetAt();

    [GeneratedRegex(@"starting at offset 0x[0-9a-f]+")]
    private static partial Regex StartingAt();

    [GeneratedRegex(@"^(  \[ *\d+\] )(.*)$")]
    private static partial Regex SectionRow();

    [GeneratedRegex(@"^OUTPUT\(.*\)$", RegexOptions.Multiline)]
    private static partial Regex OutputLine();

    [GeneratedRegex(@"^ (\S+) +(0x[0-9a-f]+) +(0x[0-9a-f]+) (\S+)$")]
    private static partial Regex InputRow();

    [GeneratedRegex(@"^ ([^\s(]+)$")]
    private static partial Regex LongInputName();

    [GeneratedRegex(@"^ {16}(0x[0-9a-f]+) +(0x[0-9a-f]+) (\S+)$")]
    private static partial Regex ContinuedInput();
}
