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

    public string OneLine => $"{File}: error {Id}: load_module would fail with {Errno}: {Message}";
}
