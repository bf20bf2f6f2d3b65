namespace DynDbg.ElfSim.Elf;

/// <summary>One section header, widened to 64 bits, with its name.</summary>
/// <remarks>
/// A section read from a file keeps its sh_name and a copy of the section name table, and decodes its name when first
/// asked (<see cref="Name"/>); <see cref="ElfFile.FindSection"/> compares the table's bytes instead. vmlinux.o has 8945
/// sections of which a load names a handful, and making a string of every name was a quarter of the reader's time in
/// <c>load --control vmlinux.o</c> (docs/performance.md). Equality is by value, over the same members as when this was
/// a positional record.
/// </remarks>
public sealed record ElfSection
{
    private readonly byte[]? _names;
    private readonly uint _nameOffset;
    private string? _name;

    public ElfSection(int Index, string Name, uint Type, ulong Flags, ulong Address, ulong Offset, ulong Size, uint Link,
        uint Info, ulong AddrAlign, ulong EntSize, ulong HeaderOffset)
        : this(Index, Type, Flags, Address, Offset, Size, Link, Info, AddrAlign, EntSize, HeaderOffset)
    {
        _name = Name;
    }

    /// <summary>A section whose name is the NUL-terminated string at <paramref name="nameOffset"/> in
    /// <paramref name="names"/> (checked by the caller to be inside it and terminated).</summary>
    internal ElfSection(int index, byte[] names, uint nameOffset, uint type, ulong flags, ulong address, ulong offset, ulong size,
        uint link, uint info, ulong addrAlign, ulong entSize, ulong headerOffset)
        : this(index, type, flags, address, offset, size, link, info, addrAlign, entSize, headerOffset)
    {
        _names = names;
        _nameOffset = nameOffset;
    }

    private ElfSection(int index, uint type, ulong flags, ulong address, ulong offset, ulong size, uint link, uint info,
        ulong addrAlign, ulong entSize, ulong headerOffset)
    {
        Index = index;
        Type = type;
        Flags = flags;
        Address = address;
        Offset = offset;
        Size = size;
        Link = link;
        Info = info;
        AddrAlign = addrAlign;
        EntSize = entSize;
        HeaderOffset = headerOffset;
    }

    // Declared in the order of the former positional parameters: ToString lists them so.
    public int Index { get; init; }
    public string Name { get => _name ??= DecodeName(); init => _name = value; }
    public uint Type { get; init; }
    public ulong Flags { get; init; }
    public ulong Address { get; init; }
    public ulong Offset { get; init; }
    public ulong Size { get; init; }
    public uint Link { get; init; }
    public uint Info { get; init; }
    public ulong AddrAlign { get; init; }
    public ulong EntSize { get; init; }
    public ulong HeaderOffset { get; init; }

    public bool IsAlloc => (Flags & ElfConstants.ShfAlloc) != 0;
    public bool IsNoBits => Type == ElfConstants.ShtNobits;
    public bool IsRelocation => Type is ElfConstants.ShtRel or ElfConstants.ShtRela;

    /// <summary>Bytes this section occupies in the file (0 for SHT_NOBITS).</summary>
    public ulong FileSize => IsNoBits ? 0 : Size;

    /// <summary>readelf -S style: <c>section [7] '__dyndbg'</c>.</summary>
    public string Describe() => $"section [{Index}] '{Name}'";

    public void Deconstruct(out int Index, out string Name, out uint Type, out ulong Flags, out ulong Address, out ulong Offset,
        out ulong Size, out uint Link, out uint Info, out ulong AddrAlign, out ulong EntSize, out ulong HeaderOffset)
    {
        (Index, Name, Type, Flags, Address, Offset) = (this.Index, this.Name, this.Type, this.Flags, this.Address, this.Offset);
        (Size, Link, Info, AddrAlign, EntSize, HeaderOffset) = (this.Size, this.Link, this.Info, this.AddrAlign, this.EntSize, this.HeaderOffset);
    }

    /// <summary>
    /// True when equal bytes mean equal decoded names, so a name may be looked up by its bytes: <paramref name="name"/> has
    /// no NUL (a table's name ends at one), no U+FFFD (what invalid UTF-8 in a table decodes to) and no surrogate (a
    /// lone one encodes as U+FFFD).
    /// </summary>
    internal static bool ComparesAsBytes(string name)
    {
        foreach (var c in name)
        {
            if (c == '\0' || c == '\uFFFD' || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private string DecodeName()
    {
        var rest = _names.AsSpan((int)_nameOffset);
        return NameCache.Get(rest[..rest.IndexOf((byte)0)]);
    }

    public bool Equals(ElfSection? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Index == other.Index && Type == other.Type && Flags == other.Flags && Address == other.Address
            && Offset == other.Offset && Size == other.Size && Link == other.Link && Info == other.Info && AddrAlign == other.AddrAlign
            && EntSize == other.EntSize && HeaderOffset == other.HeaderOffset && Name == other.Name);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Index);
        h.Add(Name);
        h.Add(Type);
        h.Add(Flags);
        h.Add(Address);
        h.Add(Offset);
        h.Add(Size);
        h.Add(Link);
        h.Add(Info);
        h.Add(AddrAlign);
        h.Add(EntSize);
        h.Add(HeaderOffset);
        return h.ToHashCode();
    }
}
