using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>How a relocation's field sits in the section bytes: bfd's howto size, dst_mask and, for ARM branches,
/// the scaling <c>arm_add_to_rel</c> applies. Enough to replay what <c>ld -r</c> does to REL contents: rebase an
/// addend against a section symbol, or clear a field whose target was discarded.</summary>
internal readonly record struct RelField(int Size, ulong Mask, RelFieldForm Form)
{
    private static RelField Word(int size) => new(size, size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1, RelFieldForm.Plain);

    /// <summary>The field of a relocation type, or null where ld's handling is not emulated.</summary>
    public static RelField? Of(ElfMachine machine, uint type) => (machine, type) switch
    {
        // bfd/elf32-i386.c elf_howto_table: everything but R_386_NONE and R_386_TLS_DESC_CALL has a 1, 2 or 4-byte field.
        (ElfMachine.I386, (>= 1 and <= 11) or (>= 14 and <= 19) or (>= 32 and <= 39) or (>= 41 and <= 43)) => Word(4),
        (ElfMachine.I386, 20 or 21) => Word(2),
        (ElfMachine.I386, 22 or 23) => Word(1),

        // bfd/elf32-arm.c elf32_arm_howto_table_1 (src_mask = dst_mask for all of these).
        (ElfMachine.Arm, 2 or 3 or 38 or 40 or 41) => Word(4),     // ABS32, REL32, TARGET1, V4BX, TARGET2
        (ElfMachine.Arm, 5) => Word(2),                           // ABS16
        (ElfMachine.Arm, 8) => Word(1),                           // ABS8
        (ElfMachine.Arm, 42) => new(4, 0x7fffffff, RelFieldForm.Plain),                 // PREL31
        (ElfMachine.Arm, 43 or 44 or 45 or 46) => new(4, 0x000f0fff, RelFieldForm.Plain), // MOVW/MOVT_ABS, _PREL
        (ElfMachine.Arm, 47 or 48) => new(4, 0x040f70ff, RelFieldForm.Plain),           // THM_MOVW_ABS_NC, THM_MOVT_ABS
        (ElfMachine.Arm, 1 or 27 or 28 or 29) => new(4, 0x00ffffff, RelFieldForm.ArmBranch), // PC24, PLT32, CALL, JUMP24
        (ElfMachine.Arm, 10 or 30) => new(4, 0x07ff2fff, RelFieldForm.ThumbBranch),     // THM_CALL, THM_JUMP24

        // bfd/elf64-x86-64.c x86_64_elf_howto_table: RELA, so only cleared (RELOC_AGAINST_DISCARDED_SECTION).
        (ElfMachine.X86_64, 1 or 24 or 25) => Word(8),           // 64, PC64, GOTOFF64
        (ElfMachine.X86_64, 2 or 3 or 4 or 9 or 10 or 11 or 26 or 41 or 42) => Word(4),
        (ElfMachine.X86_64, 12 or 13) => Word(2),
        (ElfMachine.X86_64, 14 or 15) => Word(1),
        _ => null,
    };

    /// <summary>bfd/elf32-arm.c <c>arm_add_to_rel</c> (and the i386 and generic REL cases, which are its plain
    /// branch with a full mask): the field's signed value plus <paramref name="delta"/>, written back under the mask.</summary>
    public void Rebase(Span<byte> field, ElfEndian e, long delta)
    {
        if (Form == RelFieldForm.ThumbBranch)
        {
            var upperInsn = e.U16(field);
            var lowerInsn = e.U16(field[2..]);
            long addend = (long)(((uint)(upperInsn & 0x7ff) << 12) | ((uint)(lowerInsn & 0x7ff) << 1));
            addend += delta;
            addend >>= 1;
            e.PutWord(field, (uint)(upperInsn & 0xf800) | (ulong)((addend >> 11) & 0x7ff), 2);
            e.PutWord(field[2..], (uint)(lowerInsn & 0xf800) | (ulong)(addend & 0x7ff), 2);
            return;
        }

        var contents = Read(field, e);
        var value = (long)(contents & Mask);
        var signBit = (Mask + 1) >> 1;
        if (Mask != ulong.MaxValue && (contents & signBit) != 0)
        {
            value |= (long)~Mask;
        }

        if (Form == RelFieldForm.ArmBranch)
        {
            value = ((value * 4) + delta) >> 2;
        }
        else
        {
            value += delta;
        }

        e.PutWord(field, (contents & ~Mask) | ((ulong)value & Mask), Size);
    }

    /// <summary>bfd/reloc.c <c>_bfd_clear_contents</c>: the field's bits cleared; in .debug_ranges a 1 is left, as a
    /// 0 would end the range list early.</summary>
    public void Clear(Span<byte> field, ElfEndian e, bool debugRanges)
    {
        var x = Read(field, e) & ~Mask;
        if (debugRanges && (Mask & 1) != 0)
        {
            x |= 1;
        }

        e.PutWord(field, x, Size);
    }

    private ulong Read(ReadOnlySpan<byte> field, ElfEndian e) => Size switch
    {
        1 => field[0],
        2 => e.U16(field),
        4 => e.U32(field),
        _ => e.U64(field),
    };
}
