using System.Text;

namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>Byte-for-byte comparison of a control file we printed with the kernel's, described by its first
/// differing line so that a failure says what differs, not just that something does.</summary>
public static class ControlDiff
{
    /// <summary>Null when equal; otherwise line counts and the first line that differs, on both sides.</summary>
    public static string? Describe(string ours, byte[] kernel)
    {
        var mine = Encoding.UTF8.GetBytes(ours);
        if (mine.AsSpan().SequenceEqual(kernel))
        {
            return null;
        }

        var a = Encoding.UTF8.GetString(mine).Split('\n');
        var b = Encoding.UTF8.GetString(kernel).Split('\n');
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        string At(string[] lines) => i < lines.Length ? $"'{lines[i]}'" : "(end of file)";
        return $"{a.Length - 1} lines here, {b.Length - 1} from the kernel; first difference at line {i + 1}: here {At(a)}, kernel {At(b)}";
    }
}
