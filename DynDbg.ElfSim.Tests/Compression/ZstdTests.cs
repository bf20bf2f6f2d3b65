using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// Each zstd implementation (the system's libzstd, ZstdSharp.Port): round trips, stored frames without magic,
/// errors as ZstdException, dictionaries trained and raw.
/// </summary>
[TestFixture("system")]
[TestFixture("managed")]
public class ZstdTests(string implementation)
{
    private IZstd _zstd = null!;

    [OneTimeSetUp]
    public void Choose() => _zstd = ZstdImplementations.Get(implementation);

    [Test]
    public void Library_NamesItselfAndItsZstdVersion()
    {
        _zstd.Version.Should().MatchRegex(@"^1\.\d+\.\d+$");
        if (implementation == "system")
        {
            ZstdLibrary.Problem.Should().BeNull();
            _zstd.Kind.Should().Be(ZstdChoice.System);
            _zstd.Library.Should().StartWith("libzstd");
            _zstd.Description.Should().Be($"libzstd {ZstdLibrary.Version} (system)");
        }
        else
        {
            _zstd.Kind.Should().Be(ZstdChoice.Managed);
            _zstd.Library.Should().Be("ZstdSharp.Port");
            _zstd.Description.Should().Be("ZstdSharp.Port 0.8.8 (zstd 1.5.7, managed)", "Directory.Packages.props pins 0.8.8");
        }
    }

    [Test]
    public void RoundTrip_WithAndWithoutTheMagicNumber()
    {
        var data = SyntheticSites.KernelLike(500).ToBytes();
        using var c = new ZstdCompressor(19, zstd: _zstd);
        using var d = new ZstdDecompressor(zstd: _zstd);
        var frame = c.Compress(data);
        frame.AsSpan(0, 4).ToArray().Should().Equal(ZstdDecompressor.Magic.ToArray());
        frame.Length.Should().BeLessThan(data.Length / 4);

        var back = new byte[data.Length];
        d.Decompress(frame, back).Should().Be(data.Length);
        back.Should().Equal(data);
        Array.Clear(back);
        d.DecompressWithoutMagic(frame.AsSpan(4), back).Should().Be(data.Length);
        back.Should().Equal(data);
    }

    [Test]
    public void CorruptFrame_IsAZstdException_NamingTheCall()
    {
        using var d = new ZstdDecompressor(zstd: _zstd);
        var act = () => d.Decompress([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff], new byte[64]);
        act.Should().Throw<ZstdException>().WithMessage("ZSTD_decompressDCtx: *");
    }

    [Test]
    public void DictionaryCapacityBelowTheMinimum_IsRefused()
    {
        ZstdDictionary.Train([1, 2, 3], [3], 12, out var error, _zstd).Should().BeNull();
        error.Should().Contain("ZDICT_DICTSIZE_MIN");
    }

    [Test]
    public void Training_OnTooFewSamples_Fails_AndTheStoreGoesWithoutDictionary()
    {
        var table = SyntheticSites.KernelLike(5);
        using var store = new ZstdDictSiteStore(table, 19, zstd: _zstd);
        store.Dictionary.Should().BeNull();
        store.TrainingError.Should().StartWith("ZDICT_trainFromBuffer: ");
        store.Size.Dictionary.Should().Be(0);
        store.Detail.Should().Contain("without dictionary");
        SiteStoreCheck.Run(store).Exact.Should().BeTrue();
    }

    [Test]
    public void Training_OnEnoughSamples_GivesATrainedDictionary_ThatHelps()
    {
        var table = SyntheticSites.KernelLike(4000);
        using var withDict = new ZstdDictSiteStore(table, 19, zstd: _zstd);
        withDict.Dictionary.Should().NotBeNull(withDict.TrainingError);
        withDict.Dictionary!.IsTrained.Should().BeTrue();
        withDict.Dictionary.Bytes.Length.Should().BeLessThanOrEqualTo(withDict.Capacity);
        withDict.Capacity.Should().Be(ZstdDictSiteStore.AutoCapacity(table.RawBytes));
        SiteStoreCheck.Run(withDict).Exact.Should().BeTrue();
    }

    [TestCase(0, 256)]
    [TestCase(25_600, 256)]
    [TestCase(48_168, 481)]
    [TestCase(100_000_000, 112_640)]
    public void AutoCapacity_FollowsZdictsSampleRule(long sampleBytes, int capacity) =>
        ZstdDictSiteStore.AutoCapacity(sampleBytes).Should().Be(capacity);

    [Test]
    public void RawContentDictionary_WorksToo()
    {
        var data = SyntheticSites.KernelLike(100).ToBytes();
        using var dict = ZstdDictionary.FromContent(data, _zstd);
        dict.IsTrained.Should().BeFalse();
        using var c = new ZstdCompressor(19, dict);
        using var d = new ZstdDecompressor(dict);
        var frame = c.Compress(data.AsSpan(24, 24));
        frame.Length.Should().BeLessThan(24, "the record is in the dictionary");
        var back = new byte[24];
        d.Decompress(frame, back);
        back.Should().Equal(data.AsSpan(24, 24).ToArray());
    }

    [Test]
    public void Workspace_CountsTheDecompressionContext()
    {
        using var store = new ZstdBlockSiteStore(SyntheticSites.KernelLike(300), 19, 64, _zstd);
        store.WorkspaceBytes.Should().BeGreaterThan(64 * 24, "a ZSTD_DCtx is tens of KB, plus the block buffer");
    }
}
