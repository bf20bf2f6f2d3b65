using DynDbg.ElfSim.Linking;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// The before/after model of <c>report --vs-script</c> (issue 17), without a browser: the bundled diet sample linked
/// under the 6.1-era <c>module-6.1.lds</c> (its <c>.gnu.linkonce.dyndbg*</c> headers left as orphans of their own)
/// and under <c>module.lds</c> (the headers folded into element 0 of <c>__dyndbg</c> and <c>__dyndbg_sites</c>):
/// two sections gone, the two arrays grown by one element each and moved, bloat-o-meter's totals balanced.
/// </summary>
[TestFixture]
public class LayoutDiffTests
{
    private static readonly string[] Sample = TestPaths.DietSample;

    public static LayoutDiff Diff(string before, string after) =>
        LayoutDiff.Of(before, View(before), after, View(after));

    private static LayoutView View(string script) =>
        Linker.WithLink(Sample, script, new LinkOptions(), l => TeachingReportBuilder.Layout(l, "gnu", l.Script, []));

    [Test]
    public void Module_6_1_lds_against_module_lds_folds_the_headers_into_the_arrays()
    {
        var d = Diff("module-6.1.lds", "module.lds");

        d.Rows.Select(r => (r.Name, r.Change, r.Delta)).Should().Equal(
            ("__dyndbg", "grown moved", 40L),
            ("__dyndbg_sites", "grown moved", 24L),
            (".gnu.linkonce.dyndbg_site", "removed", -24L),
            (".gnu.linkonce.dyndbg", "removed", -40L));
        d.Summary.Should().Be("add/remove: 0/2 grow/shrink: 2/0 up/down: 64/-64 (0)");
        (d.Added, d.Removed, d.Grown, d.Shrunk, d.Up, d.Down, d.MovedCount).Should().Be((0, 2, 2, 0, 64L, -64L, 2));
        d.TotalLine.Should().Be("Total: Before=2070, After=2070, chg +0.00%");
        var sites = d.Rows.Single(r => r.Name == "__dyndbg_sites");
        (sites.Before!.Address, sites.After!.Address, sites.Before.Size, sites.After.Size).Should().Be((0UL, 0x220UL, 264UL, 288UL));
    }

    [Test]
    public void The_other_way_round_every_count_and_delta_changes_sign()
    {
        var d = Diff("module.lds", "module-6.1.lds");

        d.Summary.Should().Be("add/remove: 2/0 grow/shrink: 0/2 up/down: 64/-64 (0)");
        d.Rows.Select(r => (r.Name, r.Change)).Should().Equal(
            (".gnu.linkonce.dyndbg", "added"), (".gnu.linkonce.dyndbg_site", "added"),
            ("__dyndbg_sites", "shrunk moved"), ("__dyndbg", "shrunk moved"));
    }

    [Test]
    public void A_link_against_itself_has_no_rows_and_zero_totals()
    {
        var d = Diff("module.lds", "module.lds");

        d.Rows.Should().BeEmpty();
        d.Summary.Should().Be("add/remove: 0/0 grow/shrink: 0/0 up/down: 0/0 (0)");
    }

    [Test]
    public void Mainline_objects_against_their_diet_build_the_sites_are_new_and_the_records_shrink()
    {
        string[] mainline = [TestPaths.Sample("x86_64", "alpha_main.o"), TestPaths.Sample("x86_64", "alpha_util.o")];

        var d = TeachingReportBuilder.Build(Sample, null, null, new VsLink(null, mainline)).Diff!;

        d.BeforeName.Should().EndWith("alpha_main.o " + mainline[1]);
        d.Rows.Select(r => (r.Name, r.Change, r.Delta)).Should().Equal(
            ("__dyndbg_sites", "added", 288L), (".text", "grown", 36L), ("__dyndbg", "shrunk moved", -136L));
        d.Summary.Should().Be("add/remove: 1/0 grow/shrink: 1/1 up/down: 324/-136 (188)");
    }

    [Test]
    public void Order_among_the_common_sections_counts_as_a_move_even_at_the_same_address_and_size()
    {
        OutputSectionView S(int i, string name, ulong size) => new(i, name, 0, size, true, [], 0);
        LayoutView L(params OutputSectionView[] s) => new("gnu", "x.lds", [], [], s, [], [], []);

        var d = LayoutDiff.Of("a", L(S(0, ".text", 8), S(1, ".data", 4)), "b", L(S(0, ".new", 2), S(1, ".data", 4), S(2, ".text", 8)));

        d.Rows.Select(r => (r.Name, r.Change)).Should().Equal((".new", "added"), (".text", "moved"), (".data", "moved"));
        d.Summary.Should().Be("add/remove: 1/0 grow/shrink: 0/0 up/down: 2/0 (2)");
    }
}
