using System.Diagnostics;

namespace CallStream.Insights.Tests;

/// <summary>
/// Runs headless Chromium (Debian's <c>chromium</c> package) on a page: its DOM after the scripts ran, and a
/// screenshot. When no Chromium is installed the calling test reports itself skipped with the reason.
/// </summary>
internal static class ReportBrowser
{
    public const int Width = 1280;

    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>Finds the browser on the PATH or skips the test, saying how to install it.</summary>
    public static string FindOrSkip()
    {
        string? variable = Environment.GetEnvironmentVariable("CALLSTREAM_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(variable) && File.Exists(variable))
            return variable;
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in Candidates)
            {
                string path = Path.Combine(directory, name);
                if (File.Exists(path))
                    return path;
            }
        }
        Assert.Skip("Chromium is not installed (no chromium, chromium-browser or google-chrome on the PATH, CALLSTREAM_CHROMIUM unset): "
            + "install it with 'apt-get install -y chromium' to check that the report renders its charts.");
        return "";
    }

    /// <summary>Loads the page and returns its DOM after the scripts ran.</summary>
    public static string DumpDom(string browser, string page, int height) =>
        Run(browser, page, height, "--dump-dom", "--virtual-time-budget=10000");

    /// <summary>Loads the page and writes a PNG screenshot of the window.</summary>
    public static void Screenshot(string browser, string page, int height, string png)
    {
        Run(browser, page, height, "--screenshot=" + png, "--virtual-time-budget=10000");
        Assert.True(File.Exists(png), $"Chromium wrote no screenshot at {png}.");
    }

    private static string Run(string browser, string page, int height, params string[] extra)
    {
        string profile = Path.Combine(Path.GetTempPath(), "callstream-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
            "--no-first-run", "--disable-extensions", "--force-device-scale-factor=1", "--user-data-dir=" + profile,
            $"--window-size={Width},{height}",
        }.Concat(extra).Append(new Uri(page).AbsoluteUri))
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{browser} did not start.");
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            // A guard against a hung browser, not a timing assertion.
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{browser} did not finish within 2 minutes on {page}.");
            }
            Assert.True(process.ExitCode == 0, $"{browser} exited with {process.ExitCode}: {error.Result}");
            return output.Result;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be releasing its profile; it lives in the temporary directory.
            }
        }
    }
}
