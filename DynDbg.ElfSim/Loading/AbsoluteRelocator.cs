using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// Where no arch relocator applies (a machine without loader hooks, or an image that is not a module): S + A for the
/// pointer-sized absolute types, which are all a dyndbg table needs; every other type is counted in the notes.
/// </summary>
public sealed class AbsoluteRelocator(LoadedModule module) : ModuleRelocator(module)
{
    private readonly SortedDictionary<string, int> _notEmulated = new(StringComparer.Ordinal);

    public override void Apply(in RelocationSite site, Span<byte> place)
    {
        var machine = Module.File.Header.Machine;
        var r = site.Relocation;
        var sem = RelocationSemantics.Of(machine, r);
        if (sem.Kind == RelocationKind.None)
        {
            return;
        }

        if (sem.Kind != RelocationKind.Absolute)
        {
            _notEmulated[sem.Name] = _notEmulated.GetValueOrDefault(sem.Name) + 1;
            return;
        }

        CheckRoom(place, sem.Width, r);
        var addend = r.HasExplicitAddend ? (ulong)r.Addend : Endian.Word(place, sem.Width);
        Endian.PutWord(place, unchecked(site.SymbolValue + addend), sem.Width);
        Module.CountApplied();
    }

    public override void FinishModule()
    {
        var machine = Module.File.Header.Machine;
        foreach (var (name, count) in _notEmulated)
        {
            Module.Notes.Add($"{count} {name} relocations not emulated for {ElfMachineNames.Describe(machine, Module.File.Header.Is64)}");
        }
    }
}
