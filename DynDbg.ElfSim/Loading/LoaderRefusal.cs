namespace DynDbg.ElfSim.Loading;

/// <summary>
/// The kernel's loader would refuse this module (e.g. "No module found in object", -ENOEXEC). The input was read
/// fine, so this is a failed check (exit 1), not unreadable input. Carries a stable LDRnnn ID and the kernel's
/// own message and errno.
/// </summary>
public sealed class LoaderRefusal(string id, string file, string kernelMessage, string errno) : Exception(kernelMessage)
{
    public string Id { get; } = id;
    public string File { get; } = file;
    public string Errno { get; } = errno;

    /// <summary>One line: the module's name and the section names it quotes come from the file (control
    /// characters in caret notation, as in <see cref="Diagnostics.DiagnosticException.OneLine"/>).</summary>
    public string OneLine => Diagnostics.DiagnosticException.Printable($"{File}: error {Id}: load_module would fail with {Errno}: {Message}");
}
