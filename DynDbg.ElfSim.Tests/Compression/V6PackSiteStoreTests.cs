using DynDbg.ElfSim.Compression;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// <c>v6-pack</c> as [v6 32/34] and [v6 33/34] pack (reference §6.16, invariant 24): a new packed site whenever
/// the function pointer differs from the top of the stack; <c>_map</c> is the stack position.
/// </summary>
[TestFixture]
public class V6PackSiteStoreTests
{
    [Test]
    public void Packs_OneSitePerFunctionRun_AndMapsEveryRecordToIt()
    {
        Site S(ulong m, ulong f, ulong fn) => new(m, f, fn);
        Site[] sites = [S(1, 10, 100), S(1, 10, 100), S(1, 10, 101), S(1, 10, 100), S(2, 20, 200), S(2, 20, 200)];
        var table = SiteTable.Create("t", 8, false, ImageKind.BuiltIn, sites);
        using var v6 = new V6PackSiteStore(table);

        // 100 comes back after 101: the patch compares with the top of the stack only, so it is packed twice.
        v6.PackedCount.Should().Be(4);
        Enumerable.Range(0, sites.Length).Select(v6.MapOf).Should().Equal(0, 0, 1, 2, 3, 3);
        v6.Size.Total.Should().Be(4 * 24);
        SiteStoreCheck.Run(v6).Exact.Should().BeTrue();
    }

    [Test]
    public void SameFunctionPointer_OtherFile_IsReportedInexact()
    {
        // A function whose records carry two file names (a macro expanded from a header can do it) gets its first
        // record's site back: the packing compares function pointers only.
        Site[] sites = [new(1, 10, 100), new(1, 11, 100), new(1, 11, 101)];
        var table = SiteTable.Create("t", 8, false, ImageKind.Module, sites);
        using var v6 = new V6PackSiteStore(table);
        v6.Get(1).Should().Be(sites[0]);
        var check = SiteStoreCheck.Run(v6);
        check.Mismatches.Should().Be(1);
        check.FirstMismatch.Should().Be(1);
    }
}
