using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// One decoded callsite. Strings are what the pointers point to; the <c>*At</c> locations identify the pointed-to
/// objects, so two records share a string object exactly when their locations are equal (what RLE of the pointer
/// column sees). <see cref="ClassId"/> is -1 before 6.1; <see cref="KeyEnabled"/> is -1 without JUMP_LABEL.
/// </summary>
public sealed record DdebugRecord(
    int Index,
    ulong FileOffset,
    string Modname,
    string Function,
    string Filename,
    string Format,
    uint LineNo,
    int ClassId,
    uint Flags,
    int KeyEnabled,
    ulong KeyType,
    ElfLocation ModnameAt,
    ElfLocation FunctionAt,
    ElfLocation FilenameAt,
    ElfLocation FormatAt);
