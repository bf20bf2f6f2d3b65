using System.Buffers.Binary;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>Copies of real sample objects with one field changed: the malformed-input fixtures.</summary>
public static class ElfBytesPatch
{
    public static byte[] Read(string arch, string file) => File.ReadAllBytes(TestPaths.Sample(arch, file));

    public static void Put(byte[] data, long offset, ulong value, int width, bool bigEndian)
    {
        var s = data.AsSpan((int)offset, width);
        switch (width, bigEndian)
        {
            case (1, _): s[0] = (byte)value; break;
            case (2, false): BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)value); break;
            case (2, true): BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)value); break;
            case (4, false): BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)value); break;
            case (4, true): BinaryPrimitives.WriteUInt32BigEndian(s, (uint)value); break;
            case (8, false): BinaryPrimitives.WriteUInt64LittleEndian(s, value); break;
            case (8, true): BinaryPrimitives.WriteUInt64BigEndian(s, value); break;
            default: throw new ArgumentOutOfRangeException(nameof(width));
        }
    }

    /// <summary>Parses <paramref name="data"/> and returns what it raises (or null when it decodes).</summary>
    public static DiagnosticException? Raised(byte[] data, bool decodeDyndbg = true)
    {
        try
        {
            using var f = ElfFile.FromBytes("fixture.o", data);
            if (decodeDyndbg)
            {
                _ = ElfSim.DynDbg.MainlineImage.Load(f);
            }

            return null;
        }
        catch (DiagnosticException e)
        {
            return e;
        }
    }

    /// <summary>Header facts of the unmodified file, to find field offsets.</summary>
    public static (ElfHeader Header, IReadOnlyList<ElfSection> Sections) Describe(byte[] data)
    {
        using var f = ElfFile.FromBytes("fixture.o", (byte[])data.Clone());
        return (f.Header, f.Sections.ToArray());
    }
}
