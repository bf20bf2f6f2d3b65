using System.Buffers.Binary;
using DynDbg.ElfSim.Loading;

namespace DynDbg.ElfSim.Arch;

/// <summary>arch/x86/kernel/module.c <c>__apply_relocate_add</c> (x86_64, RELA): the place must be zero; 32/32S check overflow.</summary>
public sealed class X86_64Relocator(LoadedModule module) : ModuleRelocator(module)
{
    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        var val = site.Value;
        var loc = site.Loc;
        var width = r.Type switch { 1 or 24 => 8, 10 or 11 or 2 or 4 => 4, 0 => 0, _ => -1 };
        if (width < 0)
        {
            throw Refuse(UnknownRelocation, $"{Name}: Unknown rela relocation: {r.Type}");
        }

        if (width == 0)
        {
            return;
        }

        CheckRoom(place, width, r);
        var existing = width == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(place) : BinaryPrimitives.ReadUInt32LittleEndian(place);
        if (existing != 0)
        {
            throw Refuse(LoadedModule.InvalidTarget,
                $"x86/modules: Skipping invalid relocation target, existing value is nonzero for type {r.Type}, loc {loc:x16}, val {val:x}");
        }

        if (r.Type is 2 or 4 or 24)
        {
            val = unchecked(val - loc); // PC32, PLT32, PC64
        }

        if (width == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(place, val);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(place, (uint)val);
            var overflow = r.Type switch
            {
                10 => val != (uint)val, // R_X86_64_32
                11 => (long)val != (int)(uint)val, // R_X86_64_32S
                _ => false, // PC32/PLT32: the kernel's overflow check is #if 0
            };
            if (overflow)
            {
                throw Refuse(Overflow, $"overflow in relocation type {r.Type} val {val:x}");
            }
        }

        Module.CountApplied();
    }
}

/// <summary>arch/x86/kernel/module.c <c>apply_relocate</c> (i386, REL): the addend is already in the place.</summary>
public sealed class I386Relocator(LoadedModule module) : ModuleRelocator(module)
{
    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var r = site.Relocation;
        if (r.Type is not (1 or 2 or 4))
        {
            throw Refuse(UnknownRelocation, $"{Name}: Unknown relocation: {r.Type}");
        }

        CheckRoom(place, 4, r);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(place);
        value = unchecked(r.Type == 1 ? value + (uint)site.SymbolValue : value + (uint)site.SymbolValue - (uint)site.Loc);
        BinaryPrimitives.WriteUInt32LittleEndian(place, value);
        Module.CountApplied();
    }
}
