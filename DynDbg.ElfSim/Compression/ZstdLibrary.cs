using System.Reflection;
using System.Runtime.InteropServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Finds the system's libzstd once: <c>$DYNDBG_ELFSIM_LIBZSTD</c> if set (a path; also how tests simulate a
/// missing library), else the platform's usual names (<c>libzstd.so.1</c> on Linux, <c>libzstd.1.dylib</c> on
/// macOS, <c>zstd.dll</c>/<c>libzstd.dll</c> on Windows). It installs the assembly's DllImport resolver for
/// <see cref="LibZstd.Name"/>; the runtime allows one resolver per assembly, so any other native binding of this
/// assembly must be added here.
/// </summary>
public static class ZstdLibrary
{
    public const string PathVariable = "DYNDBG_ELFSIM_LIBZSTD";

    /// <summary>ZSTD_compress2 and the parameter API are stable since 1.4.0.</summary>
    private const uint MinimumVersion = 10400;

    private static readonly Lazy<(nint Handle, string Name, string? Problem)> State = new(Load);

    public static bool IsAvailable => State.Value.Problem is null;

    /// <summary>Why the system libzstd cannot be used (one line; ZstdSharp.Port runs instead), or null when it can.</summary>
    public static string? Problem => State.Value.Problem;

    /// <summary>The name or path that was loaded, e.g. <c>libzstd.so.1</c>.</summary>
    public static string LoadedName => State.Value.Name;

    /// <summary>libzstd's own version string, e.g. <c>1.5.4</c> (empty when unavailable).</summary>
    public static string Version => IsAvailable ? FormatVersion(LibZstd.ZSTD_versionNumber()) : "";

    public static void Require()
    {
        if (State.Value.Problem is { } p)
        {
            throw new ZstdException(p);
        }
    }

    private static (nint, string, string?) Load()
    {
        var forced = Environment.GetEnvironmentVariable(PathVariable);
        string[] candidates = !string.IsNullOrEmpty(forced) ? [forced]
            : OperatingSystem.IsWindows() ? ["zstd.dll", "libzstd.dll"]
            : OperatingSystem.IsMacOS() ? ["libzstd.1.dylib", "libzstd.dylib"]
            : ["libzstd.so.1", "libzstd.so"];
        foreach (var name in candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(ZstdLibrary).Assembly, DllImportSearchPath.SafeDirectories, out var handle))
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(handle, "ZDICT_trainFromBuffer", out _) ||
                !NativeLibrary.TryGetExport(handle, "ZSTD_versionNumber", out var versionFn))
            {
                return (0, name, $"{name} has no ZDICT_trainFromBuffer/ZSTD_versionNumber: not a usable libzstd");
            }

            var version = ReadVersion(versionFn);
            if (version < MinimumVersion)
            {
                return (0, name, $"{name} is zstd {FormatVersion(version)}; 1.4.0 or later is needed");
            }

            NativeLibrary.SetDllImportResolver(typeof(ZstdLibrary).Assembly, Resolve);
            return (handle, name, null);
        }

        var tried = string.Join(", ", candidates);
        return (0, "", $"libzstd not found (tried {tried}); install the 'libzstd1' package, or set {PathVariable}");
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == LibZstd.Name ? State.Value.Handle : 0;

    private static unsafe uint ReadVersion(nint fn) => ((delegate* unmanaged<uint>)fn)();

    private static string FormatVersion(uint v) => $"{v / 10000}.{v / 100 % 100}.{v % 100}";
}
