namespace DynDbg.ElfSim.Elf;

/// <summary>Unsigned LEB128 as DWARF, .eh_frame and build attributes write it.</summary>
public static class Leb128
{
    /// <summary>Reads one value at <paramref name="p"/>, never past <paramref name="end"/>; bits past 64 are lost (as
    /// bfd's readers lose them). <paramref name="complete"/> is false when the bytes ran out before the last one.</summary>
    public static ulong ReadUnsigned(ReadOnlySpan<byte> c, ref int p, int end, out bool complete)
    {
        ulong value = 0;
        var shift = 0;
        while (p < end)
        {
            var b = c[p++];
            if (shift < 64)
            {
                value |= (ulong)(b & 0x7f) << shift;
            }

            shift += 7;
            if ((b & 0x80) == 0)
            {
                complete = true;
                return value;
            }
        }

        complete = false;
        return value;
    }
}
