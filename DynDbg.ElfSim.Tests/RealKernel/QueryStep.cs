namespace DynDbg.ElfSim.Tests.RealKernel;

/// <summary>
/// One write to /proc/dynamic_debug/control in the capture: the exact bytes, what the write returned (the byte
/// count, or -errno), the strerror text on failure, the control file afterwards and the kernel's messages
/// (dmesg -r lines: "&lt;level&gt;[ timestamp] text").
/// </summary>
public sealed record QueryStep(int Number, byte[] Query, int Rc, string Message, string ControlPath, IReadOnlyList<string> KernelLog)
{
    /// <summary>The query for a test name or a failure message: newlines and tabs shown, long pads cut.</summary>
    public string Display
    {
        get
        {
            var text = System.Text.Encoding.UTF8.GetString(Query).Replace("\n", "\\n").Replace("\t", "\\t");
            var trimmed = text.TrimStart(' ');
            return trimmed.Length < text.Length - 8 ? $"<{text.Length - trimmed.Length} spaces>{trimmed}" : text;
        }
    }
}
