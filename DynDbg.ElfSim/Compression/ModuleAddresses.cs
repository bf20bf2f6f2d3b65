using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Run-time addresses of a relocatable object's allocated sections, so site pointers have the values a loaded
/// module would hold: the 6.1 loader's placement (<see cref="ModuleLoader"/>, reference §2), non-strict so that
/// objects without <c>.gnu.linkonce.this_module</c> (the samples) are placed by the same rules. Only the low bits
/// matter to the compressors; the base is the x86_64 module area (<c>MODULES_VADDR</c>), or the ARM one for 32-bit
/// files, and init follows core after a guard page.
/// </summary>
internal static class ModuleAddresses
{
    private const ulong Base64 = 0xffffffffc0000000;
    private const ulong Base32 = 0xbf000000;
    private const ulong Page = 4096;

    public static ulong[] Of(ElfFile file)
    {
        var layout = ModuleLoader.Layout(file, strict: false);
        var coreBase = file.PointerSize == 8 ? Base64 : Base32;
        var initBase = coreBase + ((layout.CoreSize + Page - 1) / Page * Page) + Page;
        if (file.PointerSize == 4 && (layout.CoreSize > uint.MaxValue || layout.InitSize > uint.MaxValue || initBase + layout.InitSize > uint.MaxValue))
        {
            // Found by the mutation harness: a 32-bit site word cannot hold the address (OverflowException).
            throw new ElfFormatException(ErrorIds.AddressSpaceOverflow, file.Path, "module layout", null,
                $"core 0x{layout.CoreSize:x} and init 0x{layout.InitSize:x} bytes placed at 0x{coreBase:x} end past the 32-bit address space");
        }

        var addresses = new ulong[file.Sections.Count];
        foreach (var s in layout.Sections)
        {
            addresses[s.Index] = s.AddressFrom(coreBase, initBase);
        }

        return addresses;
    }
}
