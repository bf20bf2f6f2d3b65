using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// One architecture's <c>apply_relocate_add</c> (RELA) or <c>apply_relocate</c> (REL), bound to the module being
/// loaded: it may keep state across relocations, as the kernel does in <c>mod->arch</c> (arm64's PLT count, ppc64's
/// stubs, s390's GOT and PLT). Created by <see cref="Arch.IModuleArch.CreateRelocator"/>; a refusal is a
/// <see cref="LoaderRefusal"/> with the kernel's message and errno, thrown at the first relocation the kernel
/// would stop at.
/// </summary>
public abstract class ModuleRelocator(LoadedModule module)
{
    public const string UnknownRelocation = LoadedModule.UnknownRelocation;
    public const string Overflow = LoadedModule.Overflow;

    protected LoadedModule Module { get; } = module;
    protected ElfEndian Endian => Module.File.Endian;
    protected string Name => Module.Layout.ModuleName;

    /// <summary>
    /// The order <c>apply_relocate_add</c> walks a table in: <c>module_frob_arch_sections</c> may have sorted it in
    /// place (arm64, ppc64), and which PLT slot or stub a branch gets follows that order.
    /// </summary>
    public virtual ReadOnlySpan<ElfRelocation> Order(ElfSection relocationSection, ElfRelocationTable table) => table.Entries;

    /// <summary>Symbols the arch gives a value itself before relocating (ppc64's <c>.TOC.</c>).</summary>
    public virtual void FixSymbols(ulong[] values, bool[] unresolved)
    {
    }

    /// <summary>
    /// The start of one table's walk (one <c>apply_relocate(_add)</c> call): mips resets its R_MIPS_HI16 list here.
    /// </summary>
    public virtual void BeginTable(ElfSection relocationSection)
    {
    }

    /// <summary>
    /// The end of one table's walk, where <c>apply_relocate(_add)</c> returns: mips refuses a table that leaves an
    /// R_MIPS_HI16 without its R_MIPS_LO16.
    /// </summary>
    public virtual void EndTable(ElfSection relocationSection)
    {
    }

    /// <summary>One relocation, at <paramref name="place"/> (the target section from r_offset on).</summary>
    public abstract void Apply(in RelocationSite site, Span<byte> place);

    /// <summary>What <c>module_finalize</c> writes into the image after the relocations (ftrace stubs and PLTs).</summary>
    public virtual void FinishModule()
    {
    }

    /// <summary>The relocation's symbol name, for the kernel's messages (read only when one is printed).</summary>
    protected string SymbolName(in RelocationSite site) => Module.File.SymbolTable!.GetName(site.SymbolIndex);

    protected LoaderRefusal Refuse(string id, string message, string errno = "-ENOEXEC") =>
        new(id, Module.File.Path, message, errno);

    protected void CheckRoom(Span<byte> place, int width, in ElfRelocation r)
    {
        if (place.Length < width)
        {
            throw new ElfFormatException(ErrorIds.RelocationOffset, Module.File.Path, "relocation", r.Offset,
                $"a {width}-byte relocation at r_offset 0x{r.Offset:x} runs past the end of its section");
        }
    }
}

/// <summary>
/// One relocation as <c>apply_relocate_add</c> sees it: the entry, the section it patches, P (<see cref="Loc"/>),
/// the symbol (as <c>simplify_symbols</c> left it) and S (<see cref="SymbolValue"/>).
/// </summary>
public readonly record struct RelocationSite(ElfRelocation Relocation, int Target, ulong Loc, int SymbolIndex, ElfSymbol Symbol, ulong SymbolValue)
{
    /// <summary>The REL/RELA section's index and the entry's index in it, in the order applied (arm's messages name both).</summary>
    public (int Section, int Entry) Table { get; init; }

    public uint Type => Relocation.Type;

    /// <summary>S + A, wrapping as the kernel's u64 arithmetic does.</summary>
    public ulong Value => unchecked(SymbolValue + (ulong)Relocation.Addend);
}
