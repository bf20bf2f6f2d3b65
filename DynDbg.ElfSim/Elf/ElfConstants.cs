namespace DynDbg.ElfSim.Elf;

/// <summary>Numeric constants from the gABI (elf.h) that the reader and the writer need. Names follow elf.h.</summary>
public static class ElfConstants
{
    public const byte ElfClass32 = 1;
    public const byte ElfClass64 = 2;
    public const byte ElfData2Lsb = 1;
    public const byte ElfData2Msb = 2;

    public const ushort EtRel = 1;
    public const ushort EtExec = 2;
    public const ushort EtDyn = 3;

    public const ushort ShnUndef = 0;
    public const ushort ShnLoReserve = 0xff00;
    public const ushort ShnAbs = 0xfff1;
    public const ushort ShnCommon = 0xfff2;
    public const ushort ShnLivepatch = 0xff20; // SHN_LIVEPATCH (Linux): resolved by livepatch, not the loader
    public const ushort ShnXindex = 0xffff;

    public const uint ShtNull = 0;
    public const uint ShtProgbits = 1;
    public const uint ShtSymtab = 2;
    public const uint ShtStrtab = 3;
    public const uint ShtRela = 4;
    public const uint ShtNote = 7;
    public const uint ShtNobits = 8;
    public const uint ShtRel = 9;
    public const uint ShtDynsym = 11;
    public const uint ShtInitArray = 14;
    public const uint ShtFiniArray = 15;
    public const uint ShtPreinitArray = 16;
    public const uint ShtGroup = 17;
    public const uint ShtSymtabShndx = 18;

    public const ulong ShfWrite = 0x1;
    public const ulong ShfAlloc = 0x2;
    public const ulong ShfExecInstr = 0x4;
    public const ulong ShfMerge = 0x10;
    public const ulong ShfStrings = 0x20;
    public const ulong ShfInfoLink = 0x40;
    public const ulong ShfLinkOrder = 0x80;
    public const ulong ShfGroup = 0x200;
    public const ulong ShfTls = 0x400;
    public const ulong ShfMaskOs = 0x0ff00000;
    public const ulong ShfMaskProc = 0xf0000000;
    public const ulong ShfExclude = 0x80000000;

    public const byte SttNotype = 0;
    public const byte SttObject = 1;
    public const byte SttFunc = 2;
    public const byte SttSection = 3;
    public const byte SttFile = 4;
    public const byte SttCommon = 5;
    public const byte SttTls = 6;
    public const byte SttGnuIfunc = 10;

    /// <summary>ARM's old Thumb-function type; elf32_arm_swap_symbol_in reads it as an STT_FUNC with a Thumb branch type.</summary>
    public const byte SttArmTfunc = 13;

    public const byte StbLocal = 0;
    public const byte StbGlobal = 1;
    public const byte StbWeak = 2;
    public const byte StbGnuUnique = 10;

    public const byte StvDefault = 0;
    public const byte StvHidden = 2;

    public const uint GrpComdat = 1;
}
