namespace DynDbg.ElfSim.Checks;

/// <summary>
/// One finding: stable ID, severity, the reference it enforces (e.g. "§8.3,§8.4"), the section and element it
/// concerns, the byte offset in the file, and a one-line message.
/// </summary>
public sealed record CheckFinding(string Id, CheckSeverity Severity, string Reference, string Where, int Element, ulong FileOffset, string Message)
{
    public string OneLine(string file) =>
        $"{file}: {(Severity == CheckSeverity.Error ? "error" : "hazard")} {Id} [{Reference}]: {Where}{(Element >= 0 ? $" element {Element}" : "")}, offset 0x{FileOffset:x}: {Message}";
}
