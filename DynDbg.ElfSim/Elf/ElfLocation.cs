namespace DynDbg.ElfSim.Elf;

/// <summary>A place in the file's sections: section index plus byte offset inside it. Equal locations are the
/// same object, so two pointers that resolve to equal locations are equal pointers.</summary>
public readonly record struct ElfLocation(int Section, ulong Offset)
{
    public override string ToString() => $"[{Section}]+0x{Offset:x}";
}
