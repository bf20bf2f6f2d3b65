namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A bitfield inside a 32-bit storage unit, as a shift from the least significant bit of the unit's value
/// (read in the file's byte order) and a width. GCC and clang allocate bitfields from the least significant bit
/// on little-endian targets and from the most significant bit on big-endian ones, so the same declaration gives
/// different shifts per byte order; <see cref="Declare"/> does that arithmetic once.
/// </summary>
public readonly record struct BitField(int Shift, int Width)
{
    public uint Mask => Width == 32 ? uint.MaxValue : (1u << Width) - 1;

    public uint Get(uint unit) => (unit >> Shift) & Mask;

    /// <summary>Shifts for consecutive bitfields of <paramref name="widths"/> declared in one 32-bit unit.</summary>
    public static BitField[] Declare(bool bigEndian, params int[] widths)
    {
        var result = new BitField[widths.Length];
        var used = 0;
        for (var i = 0; i < widths.Length; i++)
        {
            result[i] = new BitField(bigEndian ? 32 - used - widths[i] : used, widths[i]);
            used += widths[i];
        }

        return result;
    }
}
