namespace DynDbg.ElfSim.Linking;

/// <summary>ld/ldexp.h <c>lang_phase_type</c> (expld.phase), the phases the layout passes run in: marking (before
/// sections are sized, unknown values are no error yet), allocating (lang_size_sections) and final
/// (the last lang_do_assignments, where every value must be known).</summary>
internal enum LayoutPhase
{
    Mark,
    Allocating,
    Final,
}
