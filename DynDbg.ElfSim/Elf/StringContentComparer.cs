using System.Text;
using System.Text.Unicode;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Compares the C strings at two locations of one file by the text they decode to (<see cref="ElfMemory.ReadString"/>
/// decodes UTF-8 with replacement), without decoding or keeping them: a set of locations under this comparer counts
/// distinct strings for 28 bytes an entry, where a set of decoded strings keeps every one of them (issue 14). Valid
/// UTF-8 decodes to equal text exactly when the bytes are equal; other bytes are compared as decoded. The locations
/// must have been checked already (every record's are, when it is read).
/// </summary>
internal sealed class StringContentComparer(ElfMemory memory) : IEqualityComparer<ElfLocation>
{
    public bool Equals(ElfLocation a, ElfLocation b)
    {
        if (a == b)
        {
            return true;
        }

        ReadOnlySpan<byte> x = Bytes(a), y = Bytes(b);
        return Utf8.IsValid(x) && Utf8.IsValid(y) ? x.SequenceEqual(y) : Encoding.UTF8.GetString(x) == Encoding.UTF8.GetString(y);
    }

    public int GetHashCode(ElfLocation loc)
    {
        // The hash of the text's UTF-8 form: the bytes themselves when valid, else the bytes of what they decode to.
        var bytes = Bytes(loc);
        var hash = new HashCode();
        hash.AddBytes(Utf8.IsValid(bytes) ? bytes : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes)));
        return hash.ToHashCode();
    }

    private ReadOnlySpan<byte> Bytes(ElfLocation loc) => memory.StringBytes(loc, "a string already read");
}
