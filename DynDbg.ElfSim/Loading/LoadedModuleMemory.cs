using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// Pointer reads from a <see cref="LoadedModule"/>: the word at the place after relocation is a final address,
/// mapped back to the loaded section that holds it — what the kernel dereferences after <c>apply_relocations</c>.
/// </summary>
public sealed class LoadedModuleMemory(LoadedModule module) : ElfMemory(module.File)
{
    public LoadedModule Module { get; } = module;

    public override ElfLocation? ReadPointer(ElfSection section, ulong offset, string who)
    {
        if (!Module.IsLoaded(section.Index))
        {
            throw new ElfFormatException(ErrorIds.PointerIntoNowhere, File.Path, who, section.Offset + offset,
                $"{section.Describe()} is not part of the loaded module (not SHF_ALLOC after layout)");
        }

        var value = ReadWord(section, offset, File.PointerSize);
        if (value == 0)
        {
            return null;
        }

        return Module.Locate(value) ?? throw new ElfFormatException(ErrorIds.PointerIntoNowhere, File.Path, who, section.Offset + offset,
            $"pointer 0x{value:x} after relocation is not inside any loaded section of the module");
    }

    protected override ReadOnlySpan<byte> Contents(ElfSection section) =>
        Module.IsLoaded(section.Index) ? Module.Bytes(section.Index) : base.Contents(section);
}
