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

        var keepOpen = false;
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

            if (size <= ReadLimit)
            {
                keepOpen = true;
                return (new Handle(fd, (nuint)size, path), (ulong)size);
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
            if (!keepOpen)
            {
                _ = Close(fd); // the mapping stays valid without the descriptor
            }
        }
    }

    /// <summary>
    /// Files up to this size are read, not mapped, and only the parts the scan looks at: for a small file the
    /// mapping's own cost (the VMA, its page faults, munmap's TLB shootdown on every core the scan runs on) is more
    /// than a few preads. 94% of Debian's amd64 modules are under it; docs/performance.md has the measurements.
    /// </summary>
    internal const long ReadLimit = Handle.PageSize * 64;

    /// <summary>
    /// A mapped file, or a small file read into memory a page at a time as its bytes are first asked for
    /// (<see cref="EnsureRead"/>): a module none of whose pages but the headers and string tables are wanted costs
    /// three or four small reads. Released on dispose or, if never disposed, by the finalizer.
    /// </summary>
    public sealed class Handle : SafeHandle
    {
        internal const int PageSize = 4096;
        private const int WholeReadLimit = 16 * PageSize;
        private readonly nuint _length;
        private readonly int _fd = -1;
        private readonly string _path = "";
        private ulong _read; // one bit per page of a read file (at most 64 pages); all set for a mapping
        private bool _failed;

        public Handle(nuint length)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            _length = length;
            _read = ulong.MaxValue;
        }

        internal Handle(int fd, nuint length, string path)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            _fd = fd;
            _path = path;
            _length = length;
            SetHandle((nint)NativeMemory.Alloc(length));
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        public byte* Pointer => (byte*)handle;

        /// <summary>Whether pages are read on demand (else <see cref="EnsureRead"/> has nothing to do).</summary>
        public bool ReadsOnDemand => _fd >= 0;

        internal void SetMapping(nint p) => SetHandle(p);

        /// <summary>
        /// Reads the pages of [offset, offset+length) not yet read. The caller has checked the range is inside the
        /// file. A file that shrank or cannot be read any more is an unreadable-file error naming the offset.
        /// </summary>
        public void EnsureRead(ulong offset, ulong length)
        {
            if (length == 0)
            {
                return;
            }

            int first = (int)(offset / PageSize), last = (int)((offset + length - 1) / PageSize);
            var want = Pages(first, last);
            if ((Volatile.Read(ref _read) & want) == want)
            {
                return;
            }

            lock (this)
            {
                ObjectDisposedException.ThrowIf(IsClosed, this);
                if (_length <= WholeReadLimit)
                {
                    // A scan reads most pages of a file this small anyway: one read is cheaper than several.
                    (first, last) = (0, (int)((_length - 1) / PageSize));
                }

                for (var page = first; page <= last; page++)
                {
                    if ((_read & (1UL << page)) != 0)
                    {
                        continue;
                    }

                    var end = page;
                    while (end < last && (_read & (1UL << (end + 1))) == 0)
                    {
                        end++;
                    }

                    ReadPages(page, end);
                    page = end;
                }
            }
        }

        private void ReadPages(int first, int last)
        {
            var from = (ulong)first * PageSize;
            var to = Math.Min((ulong)(last + 1) * PageSize, _length);
            var done = from;
            while (!_failed && done < to)
            {
                var n = Pread(_fd, (byte*)handle + done, (nuint)(to - done), (long)done);
                if (n <= 0)
                {
                    _failed = true;
                    break;
                }

                done += (ulong)n;
            }

            if (_failed)
            {
                // An input error in one line, as an unreadable file is (a mapping would have raised SIGBUS here).
                throw new ElfFormatException(ErrorIds.UnreadableFile, _path, "file", done, "the file became shorter or unreadable while it was read");
            }

            Volatile.Write(ref _read, _read | Pages(first, last));
        }

        /// <summary>The bits of pages <paramref name="first"/> to <paramref name="last"/> (both in 0..63).</summary>
        private static ulong Pages(int first, int last) =>
            (last == 63 ? ulong.MaxValue : (1UL << (last + 1)) - 1) & ~((1UL << first) - 1);

        protected override bool ReleaseHandle()
        {
            if (_fd < 0)
            {
                return Munmap((void*)handle, _length) == 0;
            }

            NativeMemory.Free((void*)handle);
            return UnixMapping.Close(_fd) == 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "pread")]
    private static partial nint Pread(int fd, void* buf, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fstat")]
    private static partial int Fstat(int fd, ref byte buf);

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* addr, nuint length, int advice);

    /// <summary>
    /// Drops this process's page-table entries for a read-only file mapping (MADV_DONTNEED): the pages stay in the
    /// page cache and the next read faults them back in, unchanged (a private mapping never written has no copies of
    /// its own). False where the call is not there.
    /// </summary>
    internal static bool DropResidentPages(byte* start, ulong length)
    {
        const int MadvDontNeed = 4;
        if (!OperatingSystem.IsLinux() || length == 0)
        {
            return false;
        }

        var first = (nuint)start & ~(nuint)(Handle.PageSize - 1);
        var end = (nuint)start + (nuint)length;
        try
        {
            return Madvise((void*)first, end - first, MadvDontNeed) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(void* addr, nuint length);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
