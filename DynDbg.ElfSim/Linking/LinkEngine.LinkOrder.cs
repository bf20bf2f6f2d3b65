using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

internal sealed partial class LinkEngine
{
    /// <summary>
    /// ld/ldelfgen.c <c>ldelf_map_segments</c>: an output section whose inputs are all SHF_LINK_ORDER gets them
    /// sorted, within each run placed by the same description, by where their linked-to sections landed; a mix of
    /// ordered and unordered inputs is an error in a relocatable link. Returns true when anything moved (ld then
    /// sizes the sections again).
    /// </summary>
    private bool FixupLinkOrder()
    {
        var changed = false;
        foreach (var os in _ctx.OsList)
        {
            var slots = new List<(InputSectionNode Node, object? Pattern)>();
            CollectSlots(os.Children, null, slots);
            slots.RemoveAll(x => x.Node.Section.Output is not { } o ||
                                 ((o.Flags & SectionFlags.HasContents) == 0 &&
                                  (o.Flags & (SectionFlags.Load | SectionFlags.ThreadLocal)) != (SectionFlags.Load | SectionFlags.ThreadLocal)));
            var ordered = slots.Count(x => x.Node.Section.LinkedTo is not null);
            if (ordered == 0)
            {
                continue;
            }

            if (ordered != slots.Count)
            {
                var at = os.Location ?? slots[0].Node.Location;
                throw new LinkException(LinkErrorIds.LinkOrderMix, at?.ToString() ?? _ctx.Script.Name, "", null,
                    $"{os.Name} has both ordered and unordered sections");
            }

            if (slots.Count < 2)
            {
                continue;
            }

            var sections = slots.Select(x => x.Node.Section).ToArray();
            var sorted = new InputSection[sections.Length];
            for (int i = 0, j; i < slots.Count; i = j)
            {
                for (j = i + 1; j < slots.Count && ReferenceEquals(slots[j].Pattern, slots[i].Pattern); j++)
                {
                }

                var run = Enumerable.Range(i, j - i)
                    .OrderBy(k => LinkedPosition(sections[k]))
                    .ThenBy(k => k);
                var n = i;
                foreach (var k in run)
                {
                    sorted[n++] = sections[k];
                }
            }

            for (var i = 0; i < slots.Count; i++)
            {
                if (!ReferenceEquals(slots[i].Node.Section, sorted[i]))
                {
                    slots[i].Node.Section = sorted[i];
                    changed = true;
                }
            }
        }

        return changed;
    }

    private static ulong LinkedPosition(InputSection s) =>
        s.LinkedTo is { Output: { } o } l ? o.Address + l.OutputOffset : 0;

    private static void CollectSlots(List<LayoutNode> nodes, object? pattern, List<(InputSectionNode, object?)> into)
    {
        foreach (var n in nodes)
        {
            switch (n)
            {
                case InputSectionNode i:
                    into.Add((i, pattern));
                    break;
                case WildNode w:
                    CollectSlots(w.Children, w, into);
                    break;
            }
        }
    }
}
