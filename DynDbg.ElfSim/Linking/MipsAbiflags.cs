using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// What bfd/elfxx-mips.c does to the output's ABI flags and e_flags in ld -r: <c>_bfd_mips_elf_merge_private_bfd_data</c>
/// (from lang_check, for every input in order) copies the first input's e_flags and .MIPS.abiflags record, then
/// merges each input's in (<c>mips_elf_merge_obj_e_flags</c>, <c>mips_elf_merge_obj_abiflags</c>);
/// <c>_bfd_mips_elf_always_size_sections</c> fixes the output sections named .MIPS.abiflags and .reginfo at 24 bytes
/// (SEC_FIXED_SIZE | SEC_HAS_CONTENTS) and <c>_bfd_mips_elf_final_link</c> drops their link orders and writes the
/// merged record there, whatever the script put in them.
/// Only generic ISAs (no EF_MIPS_MACH processor, no ISA extension) are merged; anything else that differs is refused.
/// </summary>
internal static class MipsAbiflags
{
    public const ulong RecordSize = 24; // sizeof (Elf_External_ABIFlags_v0) and sizeof (Elf32_External_RegInfo)

    private const uint EfNoReorder = 0x1, EfPic = 0x2, EfCpic = 0x4, EfXgot = 0x8, EfUcode = 0x10, Ef32BitMode = 0x100;
    private const uint EfFp64 = 0x200, EfNan2008 = 0x400, EfAbi = 0xf000, EfMach = 0x00ff0000, EfArch = 0xf0000000;
    private const uint EfAseMdmx = 0x08000000, EfAseM16 = 0x04000000, EfAseMicroMips = 0x02000000, EfAse = 0x0f000000;
    private const uint EfAbiO32 = 0x1000, EfAbiEabi32 = 0x3000;
    private const int TagGnuMipsAbiFp = 4;
    private const int FpAny = 0, FpDouble = 1, FpXx = 5, Fp64 = 6, Fp64A = 7;

    /// <summary>Elf_Internal_ABIFlags_v0.</summary>
    private struct Record
    {
        public ushort Version;
        public byte IsaLevel, IsaRev, GprSize, Cpr1Size, Cpr2Size, FpAbi;
        public uint IsaExt, Ases, Flags1, Flags2;

        public static Record Read(ReadOnlySpan<byte> c, ElfEndian e) => new()
        {
            Version = (ushort)e.Word(c, 2), IsaLevel = c[2], IsaRev = c[3], GprSize = c[4], Cpr1Size = c[5], Cpr2Size = c[6],
            FpAbi = c[7], IsaExt = (uint)e.Word(c[8..], 4), Ases = (uint)e.Word(c[12..], 4),
            Flags1 = (uint)e.Word(c[16..], 4), Flags2 = (uint)e.Word(c[20..], 4),
        };

        /// <summary>bfd_mips_elf_swap_abiflags_v0_out.</summary>
        public readonly byte[] Write(ElfEndian e)
        {
            var b = new byte[RecordSize];
            e.PutWord(b, Version, 2);
            (b[2], b[3], b[4], b[5], b[6], b[7]) = (IsaLevel, IsaRev, GprSize, Cpr1Size, Cpr2Size, FpAbi);
            e.PutWord(b.AsSpan(8), IsaExt, 4);
            e.PutWord(b.AsSpan(12), Ases, 4);
            e.PutWord(b.AsSpan(16), Flags1, 4);
            e.PutWord(b.AsSpan(20), Flags2, 4);
            return b;
        }
    }

    /// <summary>
    /// <c>_bfd_mips_elf_merge_private_bfd_data</c> over the inputs: the merged .MIPS.abiflags record (null when no input
    /// takes part) and the output's e_flags. ld's errors are thrown (it fails the link); its warnings change nothing.
    /// </summary>
    public static (byte[]? Record, uint EFlags, LinkException? Unknown) Merge(LinkContext ctx)
    {
        var id = ctx.Identity!;
        var e = new ElfEndian(id.IsBigEndian);
        Record? out_ = null;
        var outFlags = id.Flags;
        var outFp = FpAny;
        var init = false;
        LinkException? unknown = null;
        foreach (var f in ctx.Inputs)
        {
            // An input with no sections but gas's empty .text/.data/.bss (and .reginfo, .mdebug) cannot conflict.
            if (f.Sections.All(s => s.Name is ".reginfo" or ".mdebug" || (s.Size == 0 && s.Name is ".text" or ".data" or ".bss")))
            {
                continue;
            }

            var sec = f.Sections.FirstOrDefault(x => x.Elf.Type == MipsSectionNames.ShtMipsAbiflags && x.Name == ".MIPS.abiflags");
            var inFlags = f.Elf.Header.Flags;
            var hasRecord = sec is not null && sec.Elf.Size >= RecordSize && sec.Elf.Type != ElfConstants.ShtNobits;
            if (!hasRecord && Mach(inFlags) is null)
            {
                // Only the e_flags merge is done for it; the record is needed only by an output .MIPS.abiflags.
                unknown ??= Refuse(f, sec, "it has no .MIPS.abiflags record and a processor-specific ISA: ld infers one from e_flags (infer_mips_abiflags); not emulated");
                outFlags = init ? MergeEFlags(f, sec, inFlags, outFlags, ref out_) : inFlags;
                init = true;
                continue;
            }

            // Tag_GNU_MIPS_ABI_FP from .gnu.attributes: read once, for the inferred record and the merge below.
            var gnuFp = GnuFpAbi(f, id);
            var rec = hasRecord ? Record.Read(f.Elf.GetContents(sec!.Elf), e) : Infer(inFlags, gnuFp);
            if ((inFlags & EfMach) != 0 || rec.IsaExt != 0)
            {
                if (out_ is { } o0 && !rec.Equals(o0) || (init && inFlags != outFlags))
                {
                    throw Refuse(f, sec, "its ISA extension (EF_MIPS_MACH or isa_ext) differs from the previous inputs': " +
                        "the processor table of mips_mach_extends_p is not emulated");
                }
            }

            // Left at "any", Tag_GNU_MIPS_ABI_FP is set from the record's.
            var inFp = gnuFp == FpAny ? rec.FpAbi : gnuFp;

            if (out_ is null)
            {
                outFlags = init ? MergeEFlags(f, sec, inFlags, outFlags, ref out_) : inFlags;
                init = true;
                out_ = rec;
                outFp = inFp;
                // bfd_set_arch_mach from the first input, then update_mips_abiflags_isa: e_flags may raise the ISA.
                // Merging the first with itself changes nothing else (fp_abi is its own attribute).
                if (Mach(inFlags) is not null && IsaOf(inFlags) is var (l0, r0) && (l0 << 3 | r0) > (rec.IsaLevel << 3 | rec.IsaRev))
                {
                    var r = out_.Value;
                    (r.IsaLevel, r.IsaRev) = ((byte)l0, (byte)r0);
                    out_ = r;
                }

                continue;
            }

            outFlags = MergeEFlags(f, sec, inFlags, outFlags, ref out_);
            outFp = MergeFp(outFp, inFp);
            var o = out_!.Value;
            o.FpAbi = (byte)outFp;
            o.IsaLevel = Math.Max(o.IsaLevel, rec.IsaLevel);
            o.IsaRev = Math.Max(o.IsaRev, rec.IsaRev);
            o.GprSize = Math.Max(o.GprSize, rec.GprSize);
            o.Cpr1Size = Math.Max(o.Cpr1Size, rec.Cpr1Size);
            o.Cpr2Size = Math.Max(o.Cpr2Size, rec.Cpr2Size);
            o.Ases |= rec.Ases;
            o.Flags1 |= rec.Flags1;
            out_ = o;
        }

        return (unknown is null ? out_?.Write(e) : null, outFlags, unknown);
    }

    /// <summary>bfd/elfxx-mips.c <c>infer_mips_abiflags</c> for an input without the record (generic ISAs): the ISA
    /// from EF_MIPS_ARCH, register sizes from the ABI and Tag_GNU_MIPS_ABI_FP, the ASEs e_flags names, odd
    /// single-precision registers for a hard-float MIPS32/64 object.</summary>
    private static Record Infer(uint flags, int fp)
    {
        var (level, rev) = IsaOf(flags);
        var r = new Record { IsaLevel = (byte)level, IsaRev = (byte)rev, GprSize = (byte)(Is32Bit(flags) ? 1 : 2), FpAbi = (byte)fp };
        r.Cpr1Size = (byte)(fp is 2 or FpXx || (fp == FpDouble && r.GprSize == 1) ? 1 : fp is FpDouble or Fp64 or Fp64A ? 2 : 0);
        r.Ases = ((flags & EfAseMdmx) != 0 ? 0x10u : 0) | ((flags & EfAseM16) != 0 ? 0x400u : 0) | ((flags & EfAseMicroMips) != 0 ? 0x800u : 0);
        if (fp is not (FpAny or 3 or Fp64A) && level >= 32)
        {
            r.Flags1 |= 1; // AFL_FLAGS1_ODDSPREG
        }

        return r;
    }

    /// <summary>bfd/elfxx-mips.c <c>mips_elf_merge_obj_e_flags</c> for generic ISAs (EF_MIPS_MACH 0).</summary>
    private static uint MergeEFlags(InputObject f, InputSection? sec, uint newFlags, uint outFlags, ref Record? abiflags)
    {
        outFlags |= newFlags & EfNoReorder;
        var oldFlags = outFlags & ~EfNoReorder;
        newFlags &= ~(EfNoReorder | EfXgot | EfUcode);
        oldFlags &= ~(EfXgot | EfUcode);
        if (newFlags == oldFlags)
        {
            return outFlags;
        }

        // The abicalls warning keeps the link going; CPIC is kept if either has it, PIC only if both do.
        if ((newFlags & (EfPic | EfCpic)) != 0)
        {
            outFlags |= EfCpic;
        }

        if ((newFlags & EfPic) == 0)
        {
            outFlags &= ~EfPic;
        }

        newFlags &= ~(EfPic | EfCpic);
        oldFlags &= ~(EfPic | EfCpic);

        if (Is32Bit(oldFlags) != Is32Bit(newFlags))
        {
            throw Error(f, "linking 32-bit code with 64-bit code");
        }

        var newMach = Mach(newFlags);
        var oldMach = Mach(outFlags);
        if (newMach is null || oldMach is null)
        {
            throw Refuse(f, sec, $"EF_MIPS_ARCH 0x{newFlags & EfArch:x} against 0x{outFlags & EfArch:x}: not among the generic ISAs emulated (mips_mach_extends_p)");
        }

        if (!Extends(newMach.Value, oldMach.Value))
        {
            if (Extends(oldMach.Value, newMach.Value))
            {
                // The later input's ISA extends the output's: take it, and raise the record's ISA with it
                // (update_mips_abiflags_isa).
                outFlags = (outFlags & ~(EfArch | EfMach)) | (newFlags & (EfArch | EfMach | Ef32BitMode));
                if (abiflags is { } r)
                {
                    var (level, rev) = IsaOf(outFlags);
                    if ((level << 3 | rev) > (r.IsaLevel << 3 | r.IsaRev))
                    {
                        (r.IsaLevel, r.IsaRev) = ((byte)level, (byte)rev);
                    }

                    abiflags = r;
                }
                if ((oldFlags & EfAbi) == 0 && Is32Bit(newFlags) && !Is32Bit(newFlags & ~EfAbi))
                {
                    outFlags |= newFlags & EfAbi;
                }
            }
            else
            {
                throw Error(f, $"linking {MachName(newMach.Value)} module with previous {MachName(oldMach.Value)} modules");
            }
        }

        newFlags &= ~(EfArch | EfMach | Ef32BitMode);
        oldFlags &= ~(EfArch | EfMach | Ef32BitMode);

        // ELF class is the same for every input (checked when they are opened); EF_MIPS_ABI only when both set it.
        if ((newFlags & EfAbi) != (oldFlags & EfAbi))
        {
            if ((newFlags & EfAbi) != 0 && (oldFlags & EfAbi) != 0)
            {
                throw Error(f, "ABI mismatch");
            }

            newFlags &= ~EfAbi;
            oldFlags &= ~EfAbi;
        }

        if ((newFlags & EfAse) != (oldFlags & EfAse))
        {
            if (((oldFlags & EfAseM16) != 0 && (newFlags & EfAseMicroMips) != 0) ||
                ((oldFlags & EfAseMicroMips) != 0 && (newFlags & EfAseM16) != 0))
            {
                throw Error(f, "ASE mismatch: linking MIPS16 and microMIPS modules");
            }

            outFlags |= newFlags & EfAse;
            newFlags &= ~EfAse;
            oldFlags &= ~EfAse;
        }

        if ((newFlags & EfNan2008) != (oldFlags & EfNan2008))
        {
            throw Error(f, $"linking {((newFlags & EfNan2008) != 0 ? "-mnan=2008" : "-mnan=legacy")} module with previous {((oldFlags & EfNan2008) != 0 ? "-mnan=2008" : "-mnan=legacy")} modules");
        }

        if ((newFlags & EfFp64) != (oldFlags & EfFp64))
        {
            throw Error(f, $"linking {((newFlags & EfFp64) != 0 ? "-mfp64" : "-mfp32")} module with previous {((oldFlags & EfFp64) != 0 ? "-mfp64" : "-mfp32")} modules");
        }

        if (newFlags != oldFlags)
        {
            throw Error(f, $"uses different e_flags (0x{newFlags:x}) fields than previous modules (0x{oldFlags:x})");
        }

        return outFlags;
    }

    /// <summary>mips_elf_merge_obj_attributes' Tag_GNU_MIPS_ABI_FP rule (the mismatches only warn).</summary>
    private static int MergeFp(int outFp, int inFp) =>
        inFp == outFp ? outFp
        : outFp == FpAny ? inFp
        : outFp == FpXx && inFp is FpDouble or Fp64 or Fp64A ? inFp
        : outFp == Fp64A && inFp == Fp64 ? inFp
        : outFp;

    /// <summary>mips_32bit_flags_p.</summary>
    private static bool Is32Bit(uint flags) =>
        (flags & Ef32BitMode) != 0 || (flags & EfAbi) is EfAbiO32 or EfAbiEabi32 ||
        (flags & EfArch) is 0x00000000 or 0x10000000 or 0x50000000 or 0x70000000 or 0x90000000;

    // Generic bfd machines by EF_MIPS_ARCH (elf_mips_mach with EF_MIPS_MACH 0).
    private const int M3000 = 1, M6000 = 2, M4000 = 3, M8000 = 4, MMips5 = 5, MIsa32 = 6, MIsa32R2 = 7, MIsa32R6 = 8,
        MIsa64 = 9, MIsa64R2 = 10, MIsa64R6 = 11;

    private static int? Mach(uint flags) => (flags & EfMach) != 0 ? null : (flags & EfArch) switch
    {
        0x00000000 => M3000, 0x10000000 => M6000, 0x20000000 => M4000, 0x30000000 => M8000, 0x40000000 => MMips5,
        0x50000000 => MIsa32, 0x70000000 => MIsa32R2, 0x90000000 => MIsa32R6,
        0x60000000 => MIsa64, 0x80000000 => MIsa64R2, 0xa0000000 => MIsa64R6,
        _ => null,
    };

    private static string MachName(int m) => m switch
    {
        M3000 => "mips:3000", M6000 => "mips:6000", M4000 => "mips:4000", M8000 => "mips:8000", MMips5 => "mips:mips5",
        MIsa32 => "mips:isa32", MIsa32R2 => "mips:isa32r2", MIsa32R6 => "mips:isa32r6",
        MIsa64 => "mips:isa64", MIsa64R2 => "mips:isa64r2", _ => "mips:isa64r6",
    };

    /// <summary>update_mips_abiflags_isa's LEVEL_REV of EF_MIPS_ARCH.</summary>
    private static (int Level, int Rev) IsaOf(uint flags) => (flags & EfArch) switch
    {
        0x00000000 => (1, 0), 0x10000000 => (2, 0), 0x20000000 => (3, 0), 0x30000000 => (4, 0), 0x40000000 => (5, 0),
        0x50000000 => (32, 1), 0x70000000 => (32, 2), 0x90000000 => (32, 6),
        0x60000000 => (64, 1), 0x80000000 => (64, 2), _ => (64, 6),
    };

    // mips_mach_32_64 and the generic rows of mips_mach_extensions, in bfd's (topological) order.
    private static readonly (int Ext, int Base)[] Map32To64 = [(MIsa64R6, MIsa32R6), (MIsa64R2, MIsa32R2), (MIsa64, MIsa32)];

    private static readonly (int Ext, int Base)[] Extensions =
    [
        (MIsa64R2, MIsa64), (MIsa64, MMips5), (MMips5, M8000), (M8000, M4000), (M4000, M6000),
        (MIsa32R2, MIsa32), (MIsa32, M6000), (M6000, M3000),
    ];

    /// <summary>mips_mach_extends_p: <paramref name="ext"/> is <paramref name="b"/> or an extension of it.</summary>
    private static bool Extends(int b, int ext)
    {
        if (Extends3264(b, ext))
        {
            return true;
        }

        foreach (var (x, y) in Extensions)
        {
            if (ext == x)
            {
                ext = y;
                if (Extends3264(b, ext))
                {
                    return true;
                }
            }
        }

        return false;

        static bool Extends3264(int b, int ext)
        {
            if (ext == b)
            {
                return true;
            }

            foreach (var (x, y) in Map32To64)
            {
                if (ext == x)
                {
                    return b == y;
                }
            }

            return false;
        }
    }

    /// <summary>Tag_GNU_MIPS_ABI_FP of the file's .gnu.attributes (the "gnu" vendor, file scope), 0 without one.
    /// GNU tags: odd ones are strings, even ones ULEB128 (gnu_obj_attrs_arg_type).</summary>
    private static int GnuFpAbi(InputObject f, ElfIdentity id)
    {
        var s = f.Sections.FirstOrDefault(x => x.Elf.Type == ObjectAttributes.ShtGnuAttributes);
        if (s is null)
        {
            return 0;
        }

        var c = f.Elf.GetContents(s.Elf);
        var e = new ElfEndian(id.IsBigEndian);
        var fp = 0;
        if (c.Length == 0 || c[0] != (byte)'A')
        {
            return 0;
        }

        var p = 1;
        while (p + 4 <= c.Length)
        {
            var len = (int)Math.Min((ulong)(c.Length - p), e.Word(c[p..], 4));
            if (len < 5)
            {
                break;
            }

            var end = p + len;
            var q = p + 4;
            var nul = c[q..end].IndexOf((byte)0);
            if (nul < 0)
            {
                break;
            }

            var vendor = System.Text.Encoding.ASCII.GetString(c.Slice(q, nul));
            q += nul + 1;
            while (vendor == "gnu" && q < end)
            {
                // A sub-subsection: scope tag, then a length counted from that tag.
                var start = q;
                var scope = Leb128.ReadUnsigned(c, ref q, end, out _);
                if (q + 4 > end)
                {
                    break;
                }

                var sub = start + (int)Math.Min((ulong)(end - start), e.Word(c[q..], 4));
                q += 4;
                while (scope == 1 && q < sub)
                {
                    var tag = (int)Leb128.ReadUnsigned(c, ref q, sub, out _);
                    if (tag == 32) // Tag_compatibility: a number and a string
                    {
                        Leb128.ReadUnsigned(c, ref q, sub, out _);
                    }

                    if ((tag & 1) != 0 || tag == 32)
                    {
                        var z = c[q..sub].IndexOf((byte)0);
                        q = z < 0 ? sub : q + z + 1;
                        continue;
                    }

                    var v = (int)Leb128.ReadUnsigned(c, ref q, sub, out _);
                    if (tag == TagGnuMipsAbiFp)
                    {
                        fp = v;
                    }
                }

                q = Math.Max(q, sub);
                if (sub <= start)
                {
                    break;
                }
            }

            p = end;
        }

        return fp;
    }

    private static LinkException Refuse(InputObject f, InputSection? s, string why) =>
        new(LinkErrorIds.LinkUnsupportedInput, f.Path, s?.Elf.Describe() ?? "ELF header", s?.Elf.Offset,
            $".MIPS.abiflags merge (_bfd_mips_elf_merge_private_bfd_data): {why}");

    /// <summary>ld's message from mips_elf_merge_obj_e_flags; it then fails the link ("failed to merge target specific data").</summary>
    private static LinkException Error(InputObject f, string message) =>
        new(LinkErrorIds.LinkIncompatibleInput, f.Path, "ELF header", 36,
            $"{message} (mips_elf_merge_obj_e_flags); failed to merge target specific data of file {f.Path}");
}
