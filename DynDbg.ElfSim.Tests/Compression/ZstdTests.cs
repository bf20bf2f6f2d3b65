using DynDbg.ElfSim.Compression;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>The libzstd binding: round trips, stored frames without magic, errors as ZstdException, dictionaries.</summary>
[TestFixture]
public class ZstdTests
{
    [OneTimeSetUp]
    public void RequireLibzstd()
    {
        if (!ZstdLibrary.IsAvailable)
        {
            Tools.Missing($"libzstd is not available ({ZstdLibrary.Problem}) (Debian: apt-get install libzstd1)");
        }
    }

    [Test]
    public void Library_IsTheSystemsReferenceZstd()
    {
        ZstdLibrary.Problem.Should().BeNull();
        ZstdLibrary.Version.Should().MatchRegex(@"^1\.\d+\.\d+$");
    }

    [Test]
    public void RoundTrip_WithAndWithoutTheMagicNumber()
    {
        var data = SyntheticSites.KernelLike(500).ToBytes();
        using var c = new ZstdCompressor(19);
        using var d = new ZstdDecompressor();
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
        using var d = new ZstdDecompressor();
        var act = () => d.Decompress([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff], new byte[64]);
        act.Should().Throw<ZstdException>().WithMessage("ZSTD_decompressDCtx: *");
    }

    [Test]
    public void DictionaryCapacityBelowTheMinimum_IsRefused()
    {
        ZstdDictionary.Train([1, 2, 3], [3], 12, out var error).Should().BeNull();
        error.Should().Contain("ZDICT_DICTSIZE_MIN");
    }

    [Test]
    public void Training_OnTooFewSamples_Fails_AndTheStoreGoesWithoutDictionary()
    {
        var table = SyntheticSites.KernelLike(5);
        using var store = new ZstdDictSiteStore(table, 19);
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
        using var withDict = new ZstdDictSiteStore(table, 19);
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
        using var dict = ZstdDictionary.FromContent(data);
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
        using var store = new ZstdBlockSiteStore(SyntheticSites.KernelLike(300), 19, 64);
        store.WorkspaceBytes.Should().BeGreaterThan(64 * 24, "a ZSTD_DCtx is tens of KB, plus the block buffer");
    }
}
