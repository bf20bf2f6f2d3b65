using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DynDbg.ElfSim.Arch;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>load FILE... --sections [--base ADDR] [--init-base ADDR] [--kernel-config F] [--cpu C] [--symbols KALLSYMS] [--dump SECTION]...
/// [--format text|json]</c>: the module loader's placement of every allocated section, and with <c>--dump</c> the
/// bytes of a section after <c>move_module</c>, <c>simplify_symbols</c> and <c>apply_relocations</c> at those
/// bases. A module the kernel would refuse is exit 1 with the kernel's message; unreadable input is exit 2.
/// </summary>
public static class LoadSectionsMode
{
    public static int Run(CliOutput io, IReadOnlyList<string> paths, string? coreBase, string? initBase, string? configPath, ReportFormat format,
        ModuleArchOptions? cpu = null, IReadOnlyList<string>? dump = null, string? symbolsPath = null)
    {
        dump ??= [];
        if (!TryAddress(coreBase, out var cb) || !TryAddress(initBase, out var ib))
        {
            return io.Usage($"--base/--init-base take a hexadecimal address, got '{(TryAddress(coreBase, out _) ? initBase : coreBase)}'");
        }

        KernelConfig? config = KernelConfig.Debian61;
        Dictionary<string, ulong>? symbols = null;
        try
        {
            if ((configPath is not null && !TryReadOptionFile(io, "--kernel-config", configPath, KernelConfig.FromConfigFile, out config)) ||
                (symbolsPath is not null && !TryReadOptionFile(io, "--symbols", symbolsPath, KernelSymbolMap.Read, out symbols)))
            {
                return ExitCodes.BadInput;
            }
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }

        var layouts = new List<(string Path, ModuleLayout Layout, IReadOnlyList<SectionDump> Dumps)>();
        try
        {
            foreach (var path in paths)
            {
                using var file = ElfFile.Open(path);
                var layout = ModuleLoader.Layout(file, config, arch: cpu);
                layouts.Add((path, layout, Dump(file, layout, dump, cb ?? 0, ib ?? 0, symbols)));
            }
        }
        catch (DiagnosticException e)
        {
            return io.Fail(e);
        }
        catch (LoaderRefusal r)
        {
            io.Out.Flush();
            io.Error.WriteLine(r.OneLine);
            return ExitCodes.CheckFailed;
        }

        io.Print(layouts, format, (j, l) => SectionsReport.WriteJson(j, l.Path, l.Layout, cb, ib, l.Dumps), (w, l) => SectionsReport.WriteText(w, l.Path, l.Layout, cb, ib, l.Dumps));
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The loaded bytes of each named section (<see cref="LoadedModule"/>, through the arch's relocator; its notes say
    /// what was not applied, e.g. relocations against undefined symbols when no <c>--symbols</c> table is given). A name that is not a placed section is a usage error
    /// naming the file.
    /// </summary>
    private static IReadOnlyList<SectionDump> Dump(ElfFile file, ModuleLayout layout, IReadOnlyList<string> names, ulong coreBase, ulong initBase,
        IReadOnlyDictionary<string, ulong>? symbols)
    {
        if (names.Count == 0 && symbols is null)
        {
            return [];
        }

        // with a symbol table the module is relocated even when nothing is dumped: an unknown symbol or a
        // relocation out of range is the kernel's refusal, as insmod against that kernel would give it
        var loaded = LoadedModule.Load(file, layout, coreBase, initBase, symbols);
        var dumps = new List<SectionDump>();
        foreach (var name in names)
        {
            var placed = layout.Sections.FirstOrDefault(s => s.Name == name) ??
                throw new UsageException(UsageErrorIds.Usage, file.Path, "--dump", null,
                    $"no allocated section '{name}' is placed by the loader (see the --sections list)");
            dumps.Add(new SectionDump(name, loaded.Addresses[placed.Index], loaded.Bytes(placed.Index) is { Length: > 0 } b ? b.ToArray() : new byte[placed.NoBits ? placed.Size : 0], loaded.Notes));
        }

        return dumps;
    }

    /// <summary>
    /// Reads the file an option names. Something that is not a regular file (a directory; a FIFO, which would block)
    /// or cannot be read is a one-line usage error naming the option, printed here, and false.
    /// </summary>
    private static bool TryReadOptionFile<T>(CliOutput io, string option, string path, Func<string, T> read, [NotNullWhen(true)] out T? value)
        where T : class
    {
        value = null;
        if (UnixFileStat.NotARegularFile(path) is { } what)
        {
            io.Usage($"{option} {path}: is {what}, not an ordinary file");
            return false;
        }

        try
        {
            value = read(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            io.Usage($"{option}: {e.Message}");
            return false;
        }
    }

    internal static bool TryAddress(string? text, out ulong? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
        {
            value = v;
            return true;
        }

        return false;
    }
}
