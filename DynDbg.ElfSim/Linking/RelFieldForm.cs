namespace DynDbg.ElfSim.Linking;

/// <summary>How <see cref="RelField.Rebase"/> reads an addend: a masked signed value, an ARM B/BL offset in
/// words, or a Thumb BL split over two halfwords.</summary>
internal enum RelFieldForm
{
    Plain,
    ArmBranch,
    ThumbBranch,
}
