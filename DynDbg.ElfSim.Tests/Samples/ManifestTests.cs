using System.Security.Cryptography;

namespace DynDbg.ElfSim.Tests.Samples;

/// <summary>The committed sample objects are exactly what samples/src/build.sh last produced.</summary>
[TestFixture]
public class ManifestTests
{
    [Test]
    public void EveryObjectMatchesItsManifestHash()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.Samples, "MANIFEST.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        lines.Should().NotBeEmpty();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            parts.Should().HaveCount(3, line);
            var path = Path.Combine(TestPaths.Samples, parts[1]);
            Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))).Should().Be(parts[2], path);
        }
    }
}
