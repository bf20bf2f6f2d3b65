using System.Runtime.InteropServices;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// <c>stat(2)</c>: what kind of file a path is and which inode it names, which .NET does not say (a FIFO looks like
/// an empty file, a hard link like another file). Used to refuse inputs that would hang a read (FIFO, device,
/// socket) and outputs that would overwrite an input, as readelf and GNU ld do. Null where it cannot tell (not
/// Linux x86_64/arm64, or a glibc without a <c>stat</c> symbol): callers then behave as before.
/// </summary>
public static partial class UnixFileStat
{
    private const uint TypeMask = 0xF000; // S_IFMT
    private const uint Fifo = 0x1000, CharDevice = 0x2000, Directory = 0x4000, BlockDevice = 0x6000, Regular = 0x8000, Socket = 0xC000;

    /// <summary>Device, inode and mode of what <paramref name="path"/> names (symbolic links followed), or null.</summary>
    public static (ulong Device, ulong Inode, uint Mode)? Of(string path)
    {
        // st_mode's offset differs: x86_64 has a 64-bit st_nlink before it, the generic layout (arm64) a 32-bit one after.
        var modeAt = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (!OperatingSystem.IsLinux() || modeAt < 0)
        {
            return null;
        }

        Span<byte> buf = stackalloc byte[256];
        try
        {
            if (Stat(path, ref MemoryMarshal.GetReference(buf)) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return (BitConverter.ToUInt64(buf), BitConverter.ToUInt64(buf[8..]), BitConverter.ToUInt32(buf[modeAt..]));
    }

    /// <summary>"a directory", "a FIFO", ... for anything but a regular file; null for a regular file or when unknown.</summary>
    public static string? NotARegularFile(string path) => (Of(path)?.Mode & TypeMask) switch
    {
        Directory => "a directory",
        Fifo => "a FIFO (named pipe)",
        CharDevice => "a character device",
        BlockDevice => "a block device",
        Socket => "a socket",
        null or Regular => null,
        _ => "not an ordinary file",
    };

    /// <summary>True when both paths name the same existing file (same device and inode, so hard and symbolic links too).</summary>
    public static bool SameFile(string a, string b)
    {
        if (Of(a) is { } x && Of(b) is { } y)
        {
            return x.Device == y.Device && x.Inode == y.Inode;
        }

        return File.Exists(a) && File.Exists(b) && string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte buf);
}
