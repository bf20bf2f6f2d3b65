using System.Buffers.Binary;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// The site columns of one input as the diet plan would split them out (<c>__dyndbg_sites</c>, reference §6.1):
/// one <see cref="Site"/> per callsite record, in record order, with the values the pointers have at run time
/// (a linked image's own addresses; for a relocatable object, the addresses a module load would give, see
/// <see cref="ModuleAddresses"/>). No header pair: this is the mainline table the diet would start from.
/// </summary>
public sealed class SiteTable
{
    private readonly Site[] _sites;

    private SiteTable(string file, int pointerSize, bool bigEndian, ImageKind kind, ulong anchor, Site[] sites,
        IReadOnlyList<DdebugTable> tables, IReadOnlyList<SiteStringUse> strings)
    {
        File = file;
        Anchor = anchor;
        PointerSize = pointerSize;
        BigEndian = bigEndian;
        Kind = kind;
        _sites = sites;
        Tables = tables;
        Strings = strings;
    }

    public string File { get; }
    public int PointerSize { get; }
    public bool BigEndian { get; }
    public ImageKind Kind { get; }

    /// <summary>
    /// Run-time address of record 0 (<c>__start___dyndbg</c>, or the module's <c>__dyndbg</c>). A diet-plan Get
    /// knows it for free: it is <c>dp - dp->_index</c>. Stores may code pointers relative to it.
    /// </summary>
    public ulong Anchor { get; }
    public int Count => _sites.Length;
    public ReadOnlySpan<Site> Sites => _sites;
    public Site this[int index] => _sites[index];

    /// <summary>The kernel's tables over these records (one per module, or one per built-in modname run).</summary>
    public IReadOnlyList<DdebugTable> Tables { get; }

    /// <summary>Per column, then <c>all</c>: the strings the site pointers point to (<see cref="SiteStringUse"/>).</summary>
    public IReadOnlyList<SiteStringUse> Strings { get; }

    /// <summary>Bytes of one site record: three pointers.</summary>
    public int SiteSize => 3 * PointerSize;

    /// <summary>The mainline cost of the site columns: records × 3 pointers (the issue's <c>rawSiteBytes</c>).</summary>
    public long RawBytes => (long)Count * SiteSize;

    public static SiteTable From(ElfFile file, MainlineImage image)
    {
        if (image.Region is not { } region || image.Decision is not { } decision)
        {
            return new SiteTable(file.Path, file.PointerSize, file.Endian.IsBigEndian, image.Kind, 0, [], image.Tables, []);
        }

        var records = image.Records;
        var address = RunTimeAddress(file, image);
        var anchor = address(new ElfLocation(region.Section.Index, region.Start));
        var sites = new Site[records.Count];
        for (var i = 0; i < sites.Length; i++)
        {
            var r = records[i];
            sites[i] = new Site(address(r.ModnameAt), address(r.FilenameAt), address(r.FunctionAt));
        }

        var strings = SiteStringAnalysis.Measure(file, image.Memory, region, decision.Layout, records);
        return new SiteTable(file.Path, decision.Layout.PointerSize, decision.Layout.BigEndian, image.Kind, anchor, sites, image.Tables, strings);
    }

    /// <summary>A table from given values (tests, synthetic inputs); the string figures are left empty.</summary>
    public static SiteTable Create(string name, int pointerSize, bool bigEndian, ImageKind kind, Site[] sites, ulong anchor = 0,
        IReadOnlyList<DdebugTable>? tables = null) =>
        pointerSize is 4 or 8
            ? new SiteTable(name, pointerSize, bigEndian, kind, anchor, (Site[])sites.Clone(), tables ?? [], [])
            : throw new ArgumentOutOfRangeException(nameof(pointerSize), pointerSize, "pointer size must be 4 or 8");

    /// <summary>
    /// The bytes of <c>__dyndbg_sites</c>: each site's modname, filename, function as pointer-size words in the
    /// file's byte order. This is what the byte-oriented compressors (zstd) are given.
    /// </summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[RawBytes];
        for (var i = 0; i < _sites.Length; i++)
        {
            WriteSite(bytes.AsSpan(i * SiteSize, SiteSize), _sites[i]);
        }

        return bytes;
    }

    /// <summary>One site as <see cref="SiteSize"/> bytes (the layout of <see cref="ToBytes"/>).</summary>
    public void WriteSite(Span<byte> into, Site site)
    {
        WriteWord(into, site.Modname);
        WriteWord(into[PointerSize..], site.Filename);
        WriteWord(into[(2 * PointerSize)..], site.Function);
    }

    /// <summary>Reads back what <see cref="WriteSite"/> wrote.</summary>
    public Site ReadSite(ReadOnlySpan<byte> from) =>
        new(ReadWord(from), ReadWord(from[PointerSize..]), ReadWord(from[(2 * PointerSize)..]));

    private void WriteWord(Span<byte> into, ulong value)
    {
        if (PointerSize == 8)
        {
            if (BigEndian)
            {
                BinaryPrimitives.WriteUInt64BigEndian(into, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(into, value);
            }
        }
        else if (BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(into, checked((uint)value));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(into, checked((uint)value));
        }
    }

    private ulong ReadWord(ReadOnlySpan<byte> from) => new ElfEndian(BigEndian).Word(from, PointerSize);

    /// <summary>
    /// The run-time address of a place the records point to: a linked image's own address, or for a relocatable
    /// object the address the 6.1 loader's placement gives it (<see cref="ModuleAddresses"/>).
    /// </summary>
    internal static Func<ElfLocation, ulong> RunTimeAddress(ElfFile file, MainlineImage image) =>
        image.Memory is LinkedMemory ? loc => image.Memory.AddressOf(loc) : ModuleAddressLookup(file);

    private static Func<ElfLocation, ulong> ModuleAddressLookup(ElfFile file)
    {
        var bases = ModuleAddresses.Of(file);
        return loc => bases[loc.Section] + loc.Offset;
    }
}
