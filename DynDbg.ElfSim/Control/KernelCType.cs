namespace DynDbg.ElfSim.Control;

/// <summary>
/// The kernel's <c>lib/ctype.c</c> table (ISO-8859-1, not the C locale): byte 0xA0 is white space and
/// 0xC0–0xFF (but for 0xD7 and 0xF7) are letters, so <c>isspace</c>/<c>isalpha</c> in the query parser answer
/// exactly as the kernel's do for any byte written to the control file.
/// </summary>
public static class KernelCType
{
    private const byte U = 0x01, L = 0x02, D = 0x04, C = 0x08, P = 0x10, S = 0x20, X = 0x40, SP = 0x80;

    private static readonly byte[] Table = Build();

    public static bool IsSpace(byte c) => (Table[c] & S) != 0;

    public static bool IsAlpha(byte c) => (Table[c] & (U | L)) != 0;

    /// <summary><c>isodigit</c>: '0'..'7' (used by <c>unescape_octal</c>).</summary>
    public static bool IsOctalDigit(byte c) => c is >= (byte)'0' and <= (byte)'7';

    private static byte[] Build()
    {
        var t = new byte[256];
        for (var c = 0; c < 32; c++)
        {
            t[c] = C;
        }

        for (var c = 9; c <= 13; c++)
        {
            t[c] = C | S;
        }

        t[32] = S | SP;
        for (var c = 33; c < 127; c++)
        {
            t[c] = P;
        }

        for (var c = '0'; c <= '9'; c++)
        {
            t[c] = D;
        }

        for (var c = 'A'; c <= 'Z'; c++)
        {
            t[c] = (byte)(U | (c <= 'F' ? X : 0));
        }

        for (var c = 'a'; c <= 'z'; c++)
        {
            t[c] = (byte)(L | (c <= 'f' ? X : 0));
        }

        t[127] = C;
        t[160] = S | SP;
        for (var c = 161; c < 192; c++)
        {
            t[c] = P;
        }

        for (var c = 192; c < 223; c++)
        {
            t[c] = U;
        }

        for (var c = 223; c < 256; c++)
        {
            t[c] = L;
        }

        t[215] = P;
        t[247] = P;
        return t;
    }
}
