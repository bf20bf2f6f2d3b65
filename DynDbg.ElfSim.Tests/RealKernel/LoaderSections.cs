using System.Globalization;
using System.Text.Json;
using DynDbg.ElfSim.Tests.Cli;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// What <c>load FILE --sections --format json</c> says for one module, read leniently (the schema is not fixed):
/// every object with a section name ("name" or "section"), a "region" and an "offset" (number or "0x..."), wherever
/// it sits (with its "inSysfs" flag, true when absent), and the core allocation's size when a "core" object with a
/// "size" is there.
/// </summary>
public sealed record LoaderSections(IReadOnlyList<(string Name, string Region, ulong Offset, bool InSysfs)> Sections, ulong? CoreSize)
{
    /// <summary>The top-level "sysfs" object's "coresize" and "initsize": what /sys/module/NAME/ would read.</summary>
    public (ulong CoreSize, ulong InitSize)? Sysfs { get; init; }

    /// <summary>Runs the CLI in-process; a non-zero exit fails the calling test with its stderr.</summary>
    public static LoaderSections Of(string modulePath, params string[] extraArgs)
    {
        var (code, output, err) = CliRunner.Run(["load", "--sections", "--format", "json", .. extraArgs, modulePath]);
        code.Should().Be(0, err);
        return Parse(output);
    }

    public static LoaderSections Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var found = new List<(string, string, ulong, bool)>();
        ulong? coreSize = null;
        Walk(doc.RootElement, found, ref coreSize);
        (ulong, ulong)? sysfs = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("sysfs", out var s)
            ? (Number(s.GetProperty("coresize")), Number(s.GetProperty("initsize")))
            : null;
        return new LoaderSections(found, coreSize) { Sysfs = sysfs };
    }

    /// <summary>
    /// Compares with the kernel's sections of <paramref name="module"/>: adds "module section: ours, kernel" lines
    /// for each difference and returns how many agree.
    /// </summary>
    public int CompareWith(string module, IReadOnlyList<KernelSection> kernel, List<string> mismatches)
    {
        var ours = Sections.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var agree = 0;
        foreach (var k in kernel)
        {
            if (!ours.TryGetValue(k.Name, out var o))
            {
                mismatches.Add($"{module} {k.Name}: missing (kernel {k.Region}+0x{k.Offset:x})");
            }
            else if (o.Region == k.Region && o.Offset == k.Offset)
            {
                agree++;
            }
            else
            {
                mismatches.Add($"{module} {k.Name}: {o.Region}+0x{o.Offset:x}, kernel {k.Region}+0x{k.Offset:x}");
            }
        }

        return agree;
    }

    private static void Walk(JsonElement e, List<(string, string, ulong, bool)> found, ref ulong? coreSize)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Walk(item, found, ref coreSize);
            }
        }
        else if (e.ValueKind == JsonValueKind.Object)
        {
            var props = e.EnumerateObject().ToDictionary(p => p.Name.ToLowerInvariant(), p => p.Value);
            if ((props.TryGetValue("name", out var name) || props.TryGetValue("section", out name)) && name.ValueKind == JsonValueKind.String &&
                props.TryGetValue("region", out var region) && props.TryGetValue("offset", out var offset))
            {
                var inSysfs = !props.TryGetValue("insysfs", out var sysfs) || sysfs.ValueKind != JsonValueKind.False;
                found.Add((name.GetString()!, region.ToString().ToLowerInvariant(), Number(offset), inSysfs));
            }

            if (props.TryGetValue("core", out var core) && core.ValueKind == JsonValueKind.Object &&
                core.TryGetProperty("size", out var size))
            {
                coreSize = Number(size);
            }

            foreach (var p in props.Values)
            {
                Walk(p, found, ref coreSize);
            }
        }
    }

    private static ulong Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? e.GetUInt64()
        : e.GetString() is { } s && s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : ulong.Parse(e.GetString()!, CultureInfo.InvariantCulture);
}
