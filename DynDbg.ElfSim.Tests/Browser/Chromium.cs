namespace DynDbg.ElfSim.Tests.Browser;

/// <summary>
/// Debian's headless Chromium as the oracle of the HTML report (issue 17): the DOM after the page's scripts ran
/// (<c>--dump-dom</c>) and screenshots. Each run gets a profile directory of its own, so parallel tests do not
/// share a lock. Missing chromium fails under CI and skips locally (<see cref="Tools.Require"/>).
/// </summary>
public static class Chromium
{
    /// <summary>The DOM once the page's scripts ran; <paramref name="fragment"/> is the URL's <c>#...</c>, which the
    /// report's script reads for its toggles.</summary>
    public static string DumpDom(string htmlPath, string? fragment = null) => Run("--dump-dom", htmlPath, fragment);

    /// <summary>A PNG of the page's first <paramref name="height"/> pixels at <paramref name="width"/>.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int width, int height) =>
        Run($"--screenshot={pngPath}", htmlPath, null, "--hide-scrollbars", $"--window-size={width},{height}");

    private static string Run(string what, string htmlPath, string? fragment, params string[] more)
    {
        Tools.Require("chromium");
        var profile = Path.Combine(Path.GetTempPath(), $"dyndbg-elfsim-chromium-{Guid.NewGuid():N}");
        try
        {
            var (code, stdout, stderr) = Tools.Run("chromium",
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}", .. more, what, new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri + (fragment is null ? "" : "#" + fragment)]);
            code.Should().Be(0, "chromium said: {0}", stderr);
            return stdout;
        }
        finally
        {
            if (Directory.Exists(profile))
            {
                Directory.Delete(profile, recursive: true);
            }
        }
    }
}
