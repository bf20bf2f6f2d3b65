namespace DynDbg.ElfSim.Elf;

/// <summary>
/// The bytes of one section to be written. Large contents (a linked section made of thousands of input pieces)
/// are streamed by the subclass instead of being assembled in memory first.
/// </summary>
public abstract class ElfContent
{
    public abstract ulong Length { get; }

    /// <summary>Writes exactly <see cref="Length"/> bytes.</summary>
    public abstract void WriteTo(Stream stream);

    public static ElfContent Of(byte[] bytes) => new ArrayContent(bytes);

    /// <summary>Writes zero bytes from <paramref name="position"/> up to <paramref name="to"/> (padding, gaps, the
    /// contents of what is never loaded) and returns the new position.</summary>
    public static ulong Zeros(Stream stream, ulong position, ulong to)
    {
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        while (position < to)
        {
            var n = (int)Math.Min(256UL, to - position);
            stream.Write(zeros[..n]);
            position += (ulong)n;
        }

        return position;
    }

    private sealed class ArrayContent(byte[] bytes) : ElfContent
    {
        public override ulong Length => (ulong)bytes.Length;

        public override void WriteTo(Stream stream) => stream.Write(bytes);
    }
}
