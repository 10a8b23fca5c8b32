using Microsoft.Playwright;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Debian's chromium driven by Playwright (no browser download): headless, no sandbox, nothing phoned home.</summary>
public static class HeadlessChromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = RequiredTool.Find("/usr/bin/chromium", "chromium"),
        Headless = true,
        Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
}
