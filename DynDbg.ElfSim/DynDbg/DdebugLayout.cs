namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// A layout profile of mainline <c>struct _ddebug</c>: where each field sits for one kernel generation, pointer
/// size, byte order and JUMP_LABEL setting (reference §1.1, §4). Offsets are bytes from the record start.
/// </summary>
public sealed record DdebugLayout(
    DdebugVersion Version,
    int PointerSize,
    bool BigEndian,
    bool JumpLabel,
    int RecordSize,
    int BitfieldOffset,
    BitField LineNo,
    BitField? ClassId,
    BitField Flags,
    int KeyOffset)
{
    /// <summary>6.1 <c>_DPRINTK_CLASS_DFLT</c>: "no class".</summary>
    public const int DefaultClass = 63;

    public int ModnameOffset => 0;
    public int FunctionOffset => PointerSize;
    public int FilenameOffset => 2 * PointerSize;
    public int FormatOffset => 3 * PointerSize;

    /// <summary>Input section holding the records: <c>__verbose</c> before 5.9, <c>__dyndbg</c> since.</summary>
    public string SectionName => Version == DdebugVersion.Pre59 ? "__verbose" : "__dyndbg";

    /// <summary>Stable profile name used by <c>--profile</c>, e.g. <c>v6.1-64le-jl</c>.</summary>
    public string Name =>
        $"{VersionName(Version)}-{PointerSize * 8}{(BigEndian ? "be" : "le")}-{(JumpLabel ? "jl" : "nojl")}";

    public string Describe() =>
        $"struct _ddebug of {RecordSize} bytes ({VersionTitle(Version)}, {PointerSize * 8}-bit {(BigEndian ? "big" : "little")}-endian, CONFIG_JUMP_LABEL={(JumpLabel ? "y" : "n")})";

    public static string VersionName(DdebugVersion v) => v switch
    {
        DdebugVersion.Pre59 => "pre5.9",
        DdebugVersion.V59 => "v5.9",
        _ => "v6.1",
    };

    public static string VersionTitle(DdebugVersion v) => v switch
    {
        DdebugVersion.Pre59 => "3.x-5.8, __verbose",
        DdebugVersion.V59 => "5.9-6.0",
        _ => "6.1+, class_id",
    };

    /// <summary>
    /// Builds the layout the C compiler gives the mainline declaration: four pointers, one 32-bit bitfield unit,
    /// then (JUMP_LABEL) the static key <c>{ atomic_t enabled; unsigned long type; }</c> aligned to the pointer
    /// size, the whole struct <c>__aligned(8)</c>.
    /// </summary>
    public static DdebugLayout Create(DdebugVersion version, int pointerSize, bool bigEndian, bool jumpLabel)
    {
        var bitfieldOffset = 4 * pointerSize;
        BitField lineNo, flags;
        BitField? classId = null;
        if (version == DdebugVersion.V61)
        {
            var f = BitField.Declare(bigEndian, 18, 6, 8);
            (lineNo, classId, flags) = (f[0], f[1], f[2]);
        }
        else
        {
            var f = BitField.Declare(bigEndian, 18, 8);
            (lineNo, flags) = (f[0], f[1]);
        }

        var end = bitfieldOffset + 4;
        var keyOffset = -1;
        if (jumpLabel)
        {
            keyOffset = AlignUp(end, pointerSize);
            end = keyOffset + (2 * pointerSize); // struct static_key: int enabled, then a pointer-sized union
        }

        return new DdebugLayout(version, pointerSize, bigEndian, jumpLabel, AlignUp(end, 8), bitfieldOffset,
            lineNo, classId, flags, keyOffset);
    }

    /// <summary>Every mainline profile, newest first: 3 generations × 32/64-bit × both byte orders × JUMP_LABEL on/off.</summary>
    public static IReadOnlyList<DdebugLayout> All { get; } =
        (from v in Enum.GetValues<DdebugVersion>().Reverse()
         from p in new[] { 8, 4 }
         from be in new[] { false, true }
         from jl in new[] { true, false }
         select Create(v, p, be, jl)).ToArray();

    public static DdebugLayout? ByName(string name) =>
        All.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));

    private static int AlignUp(int value, int align) => (value + align - 1) / align * align;
}
