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

    private sealed class ArrayContent(byte[] bytes) : ElfContent
    {
        public override ulong Length => (ulong)bytes.Length;

        public override void WriteTo(Stream stream) => stream.Write(bytes);
    }
}
