using System.Globalization;
using System.Text.RegularExpressions;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// What the booted kernel showed, read from a capture directory of scripts/qemu/boot.sh (file list in
/// scripts/qemu/init.sh): the built-in control file, the module attempts, where every section went, and each
/// step of the query list.
/// </summary>
public sealed partial class KernelGroundTruth
{
    private readonly Dictionary<string, ulong> coreBase;
    private readonly Dictionary<string, ulong> coreSize;
    private readonly Dictionary<string, ulong> initSize;

    private KernelGroundTruth(string directory)
    {
        Directory = directory;
        Version = File.ReadAllText(At("version")).TrimEnd('\n');
        KernelNotes = File.ReadAllBytes(At("kernel-notes"));
        Modules = File.ReadAllLines(At("modules.tsv")).Select(ParseAttempt).ToList();
        coreBase = File.ReadAllLines(At("proc-modules")).Select(ParseProcModules).ToDictionary(p => p.Name, p => p.Base);
        var sizes = File.ReadAllLines(At("module-sizes.tsv")).Select(l => l.Split('\t')).ToList();
        coreSize = sizes.ToDictionary(f => f[0], f => ulong.Parse(f[1], CultureInfo.InvariantCulture));
        initSize = sizes.ToDictionary(f => f[0], f => ulong.Parse(f[2], CultureInfo.InvariantCulture));
        Steps = System.IO.Directory.GetFiles(At("steps"), "*.query").Order(StringComparer.Ordinal).Select(ReadStep).ToList();
    }

    public string Directory { get; }

    /// <summary>/proc/version of the booted kernel, without the newline.</summary>
    public string Version { get; }

    /// <summary>/sys/kernel/notes: the running kernel's ELF notes (the vmlinux .notes section).</summary>
    public byte[] KernelNotes { get; }

    public string BuiltinControlPath => At("builtin.control");

    public string InsmodControlPath => At("insmod.control");

    public IReadOnlyList<ModuleAttempt> Modules { get; }

    public IEnumerable<ModuleAttempt> Loaded => Modules.Where(m => m.Loaded);

    public IReadOnlyList<QueryStep> Steps { get; }

    public static KernelGroundTruth Read(string directory) => new(directory);

    public bool IsListedInProcModules(string module) => coreBase.ContainsKey(module);

    public ulong CoreBase(string module) => coreBase[module];

    public ulong CoreSize(string module) => coreSize[module];

    /// <summary>/sys/module/&lt;name&gt;/initsize, read after every insmod returned (so after init ran).</summary>
    public ulong InitSize(string module) => initSize[module];

    /// <summary>Every section the kernel listed for a loaded module, with its region and offset.</summary>
    public IReadOnlyList<KernelSection> Sections(string module)
    {
        var raw = File.ReadAllLines(At(Path.Combine("sections", module)))
            .Select(l => l.Split(' '))
            .Select(f => (Name: f[0], Address: ulong.Parse(f[1].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .ToList();
        var core = coreBase[module];
        var end = core + coreSize[module];
        bool IsCore(ulong a) => a >= core && a < end;
        var init = raw.Where(s => !IsCore(s.Address)).Select(s => s.Address).DefaultIfEmpty(0UL).Min();
        return raw.Select(s => IsCore(s.Address)
                ? new KernelSection(module, s.Name, s.Address, "core", s.Address - core)
                : new KernelSection(module, s.Name, s.Address, "init", s.Address - init))
            .OrderBy(s => s.Region, StringComparer.Ordinal).ThenBy(s => s.Offset)
            .ToList();
    }

    private string At(string name) => Path.Combine(Directory, name);

    private static ModuleAttempt ParseAttempt(string line)
    {
        var f = line.Split('\t');
        if (f.Length < 4)
        {
            throw new InvalidDataException($"modules.tsv: not 'seq name path status message': '{line}'");
        }

        return new ModuleAttempt(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], f[3] == "loaded", f.Length > 4 ? f[4] : "");
    }

    private static (string Name, ulong Base) ParseProcModules(string line)
    {
        var m = ProcModulesLine().Match(line);
        if (!m.Success)
        {
            throw new InvalidDataException($"proc-modules: no state and address in '{line}'");
        }

        return (m.Groups[1].Value, ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    private QueryStep ReadStep(string queryPath)
    {
        var stem = queryPath[..^".query".Length];
        var rcLine = File.ReadAllText(stem + ".rc").TrimEnd('\n');
        var space = rcLine.IndexOf(' ');
        var rc = int.Parse(space < 0 ? rcLine : rcLine[..space], CultureInfo.InvariantCulture);
        var number = int.Parse(Path.GetFileName(stem), CultureInfo.InvariantCulture);
        var log = File.ReadAllLines(stem + ".dmesg");
        return new QueryStep(number, File.ReadAllBytes(queryPath), rc, space < 0 ? "" : rcLine[(space + 1)..], stem + ".control", log);
    }

    // "bnep 32768 0 - Live 0xffffffffc05b9000" (taint flags may follow the address)
    [GeneratedRegex(@"^(\S+) .* (?:Live|Loading|Unloading) 0x([0-9a-f]+)")]
    private static partial Regex ProcModulesLine();
}
