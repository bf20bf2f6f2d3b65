using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// Run-time addresses of a relocatable object's allocated sections, so site pointers have the values a loaded
/// module would hold. A compact replay of 6.1 <c>layout_sections</c> + <c>move_module</c> (reference §2): five
/// flag passes in section-index order, <c>ALIGN(size, sh_addralign)</c> per section, page-aligned boundaries
/// (<c>CONFIG_STRICT_MODULE_RWX</c>), <c>.init*</c> sections in a second allocation. Only the low bits of the
/// values matter to the compressors; the base is the x86_64 module area (<c>MODULES_VADDR</c>), or the ARM one
/// for 32-bit files. The loader emulation of issue 3 will supersede this.
/// </summary>
internal static class ModuleAddresses
{
    private const ulong Base64 = 0xffffffffc0000000;
    private const ulong Base32 = 0xbf000000;
    private const ulong Page = 4096;

    /// <summary>Kernel-internal flag <c>SHF_RO_AFTER_INIT</c>, given by the loader to these two sections by name.</summary>
    private const ulong RoAfterInit = 0x00200000;

    public static ulong[] Of(ElfFile file)
    {
        var flags = file.Sections.Select(EffectiveFlags).ToArray();
        var addresses = new ulong[file.Sections.Count];
        var placed = new bool[file.Sections.Count];
        (ulong Required, ulong Forbidden)[] masks =
        [
            (ElfConstants.ShfExecInstr | ElfConstants.ShfAlloc, 0),
            (ElfConstants.ShfAlloc, ElfConstants.ShfWrite),
            (RoAfterInit | ElfConstants.ShfAlloc, 0),
            (ElfConstants.ShfWrite | ElfConstants.ShfAlloc, 0),
            (ElfConstants.ShfAlloc, 0),
        ];

        var coreBase = file.PointerSize == 8 ? Base64 : Base32;
        var coreSize = Place(file, flags, masks, addresses, placed, coreBase, init: false);
        Place(file, flags, masks, addresses, placed, coreBase + AlignUp(coreSize, Page) + Page, init: true);
        return addresses;
    }

    private static ulong Place(ElfFile file, ulong[] flags, (ulong Required, ulong Forbidden)[] masks, ulong[] addresses,
        bool[] placed, ulong baseAddress, bool init)
    {
        ulong size = 0;
        for (var m = 0; m < masks.Length; m++)
        {
            var (required, forbidden) = masks[m];
            foreach (var s in file.Sections)
            {
                var f = flags[s.Index];
                if (s.Index == 0 || placed[s.Index] || (f & required) != required || (f & forbidden) != 0 ||
                    s.Name.StartsWith(".init", StringComparison.Ordinal) != init)
                {
                    continue;
                }

                var offset = AlignUp(size, Math.Max(s.AddrAlign, 1));
                addresses[s.Index] = baseAddress + offset;
                placed[s.Index] = true;
                size = offset + s.Size;
            }

            // text, ro and ro_after_init end on page boundaries; so does the whole (strict_align, PAGE_ALIGN).
            if (m != 3)
            {
                size = AlignUp(size, Page);
            }
        }

        return size;
    }

    /// <summary><c>rewrite_section_headers</c> drops SHF_ALLOC from two sections; <c>layout_and_allocate</c> adds RO_AFTER_INIT to two.</summary>
    private static ulong EffectiveFlags(ElfSection s) => s.Name switch
    {
        "__versions" or ".modinfo" => s.Flags & ~ElfConstants.ShfAlloc,
        ".data..ro_after_init" or "__jump_table" => s.Flags | RoAfterInit,
        _ => s.Flags,
    };

    private static ulong AlignUp(ulong value, ulong align) => checked((value + align - 1) / align * align);
}
