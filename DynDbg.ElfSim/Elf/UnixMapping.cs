using System.Runtime.InteropServices;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A file mapped with five system calls (open, fstat, mmap, close, and munmap when done) for tree scans, where the
/// per-file cost is the scan's cost: .NET's FileStream + MemoryMappedFile path makes ten (a stat to refuse FIFOs
/// first, three fstats, an lseek, a madvise). O_NONBLOCK makes the open of a FIFO return at once, and fstat tells
/// it from a regular file, so no stat is needed before the open. Linux x86_64/arm64 only (the fstat layout); null
/// elsewhere, and callers take the .NET path.
/// </summary>
internal static unsafe partial class UnixMapping
{
    private const int ORdOnly = 0, ONonBlock = 0x800, OCloexec = 0x80000;
    private const int ProtRead = 1, MapPrivate = 2;
    private const uint TypeMask = 0xF000, Regular = 0x8000;

    /// <summary>Whether this process can take the fast path at all.</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() &&
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// The whole of <paramref name="path"/> mapped read-only when it is a readable regular file of at least
    /// <paramref name="minLength"/> bytes; null when it is not (missing, unreadable, a directory, FIFO or device,
    /// too short) or when the calls are not there.
    /// </summary>
    public static (Handle Mapping, ulong Length)? TryMap(string path, long minLength)
    {
        int fd;
        try
        {
            fd = Open(path, ORdOnly | ONonBlock | OCloexec);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        if (fd < 0)
        {
            return null;
        }

        try
        {
            // st_mode at 24 (x86_64: 64-bit st_nlink before it) or 16 (arm64's generic layout); st_size at 48 in both.
            Span<byte> st = stackalloc byte[256];
            if (Fstat(fd, ref MemoryMarshal.GetReference(st)) != 0)
            {
                return null;
            }

            var mode = BitConverter.ToUInt32(st[(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16)..]);
            var size = BitConverter.ToInt64(st[48..]);
            if ((mode & TypeMask) != Regular || size < Math.Max(minLength, 1))
            {
                return null;
            }

            var p = Mmap(null, (nuint)size, ProtRead, MapPrivate, fd, 0);
            if (p == (void*)-1)
            {
                return null;
            }

            var handle = new Handle((nuint)size);
            handle.SetMapping((nint)p);
            return (handle, (ulong)size);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            _ = Close(fd); // the mapping stays valid without the descriptor
        }
    }

    /// <summary>The mapping; unmapped on dispose or, if never disposed, by the finalizer.</summary>
    public sealed class Handle(nuint length) : SafeHandle(IntPtr.Zero, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        public byte* Pointer => (byte*)handle;

        internal void SetMapping(nint p) => SetHandle(p);

        protected override bool ReleaseHandle() => Munmap((void*)handle, length) == 0;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fstat")]
    private static partial int Fstat(int fd, ref byte buf);

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(void* addr, nuint length);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
