using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// The bytes of one input: a read-only memory map of a file (never written: inputs are not modified), or a pinned
/// array for tests. Section contents are handed out as spans over the mapping, never copied.
/// </summary>
public sealed unsafe class ElfBytes : IDisposable
{
    private readonly byte* _base;
    private readonly IDisposable? _owner;
    private GCHandle _pin;
    private volatile bool _disposed;
    private UnixMapping.Handle? _readOnDemand;

    // Read since the last ReleaseResidentPages: a link of 100 inputs let go of every input's pages each 256 KB
    // written, 61 000 madvise calls (0.44 s) where a few inputs had been read. A read on another thread that races
    // with the release only leaves its pages for the next one.
    private bool _touched = true;

    private ElfBytes(byte* basePtr, ulong length, IDisposable? owner, GCHandle pin)
    {
        _base = basePtr;
        Length = length;
        _owner = owner;
        _pin = pin;
    }

    public ulong Length { get; }

    /// <summary>Maps <paramref name="path"/> read-only. An empty file maps to zero bytes.</summary>
    public static ElfBytes Map(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        try
        {
            var length = (ulong)stream.Length;
            if (length == 0)
            {
                stream.Dispose();
                return new ElfBytes(null, 0, null, default);
            }

            var mmf = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: false);
            var view = mmf.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            ptr += view.PointerOffset;
            return new ElfBytes(ptr, length, new Mapping(mmf, view), default);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps <paramref name="path"/> for a tree scan: null when it is not a readable regular file of at least
    /// <paramref name="minLength"/> bytes. Five system calls where <see cref="Map"/> takes ten (<see cref="UnixMapping"/>);
    /// <see cref="Map"/> where that path is not available.
    /// </summary>
    public static ElfBytes? TryMapRegular(string path, long minLength)
    {
        if (!UnixMapping.Available)
        {
            try
            {
                var bytes = UnixFileStat.NotARegularFile(path) is null ? Map(path) : null;
                if (bytes is not null && bytes.Length < (ulong)minLength)
                {
                    bytes.Dispose();
                    return null;
                }

                return bytes;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return null;
            }
        }

        return UnixMapping.TryMap(path, minLength) is { } m
            ? new ElfBytes(m.Mapping.Pointer, m.Length, m.Mapping, default) { _readOnDemand = m.Mapping.ReadsOnDemand ? m.Mapping : null }
            : null;
    }

    /// <summary>Wraps an array (tests, synthetic inputs). The array is pinned until disposal.</summary>
    public static ElfBytes FromArray(byte[] data)
    {
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        return new ElfBytes((byte*)pin.AddrOfPinnedObject(), (ulong)data.Length, null, pin);
    }

    /// <summary>True once the mapping or buffer was released.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>True when [offset, offset+length) lies inside the input; written so it cannot overflow.</summary>
    public bool Contains(ulong offset, ulong length) => offset <= Length && length <= Length - offset;

    /// <summary>
    /// A span over [offset, offset+length). The caller has checked <see cref="Contains"/>; a range that is not
    /// inside the input or is longer than a span can be is a programming error here, not an input error.
    /// </summary>
    public ReadOnlySpan<byte> Span(ulong offset, ulong length)
    {
        // A view that outlives its file (a lazy record list whose image was not detached) fails here, not with a
        // read of unmapped memory.
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Contains(offset, length) || length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"range 0x{offset:x}+0x{length:x} not inside input of 0x{Length:x} bytes");
        }

        if (length == 0)
        {
            return ReadOnlySpan<byte>.Empty;
        }

        _readOnDemand?.EnsureRead(offset, length);
        _touched = true;
        return new ReadOnlySpan<byte>(_base + offset, (int)length);
    }

    /// <summary>
    /// Lets go of the pages of a file mapping this process has touched, so its resident size stops counting the
    /// parts of the input it is done with; later reads fault them back in from the page cache. Nothing happens for
    /// arrays and files read into memory.
    /// </summary>
    public void ReleaseResidentPages()
    {
        if (!_disposed && _owner is not null && _readOnDemand is null && _base is not null && _touched)
        {
            _touched = false;
            UnixMapping.DropResidentPages(_base, Length);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return; // a second Dispose must not release the mapping's pointer again
        }

        _disposed = true;
        _owner?.Dispose();
        if (_pin.IsAllocated)
        {
            _pin.Free();
        }
    }

    private sealed class Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view) : IDisposable
    {
        public void Dispose()
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }
    }
}
