using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pkgpanda.Targets;

/// <summary>
/// Writes <c>--plan</c>: the page into <c>.nuke/temp/execution-plan.html</c> (opened in a browser only where a
/// person can see one), or with <c>--plan-format</c> the text to standard output.
/// </summary>
internal static class PlanOutput
{
    public static string PagePath(string root) => Path.Combine(root, ".nuke", "temp", "execution-plan.html");

    /// <summary>
    /// A browser is worth starting only for a person at a desktop: not in CI, not when the output goes to a pipe or a
    /// file (a script asked for the page), not over SSH without a display.
    /// </summary>
    public static bool CanOpenBrowser(IReadOnlyDictionary<string, string> environment)
    {
        if (environment.ContainsKey("CI") || environment.ContainsKey("GITHUB_ACTIONS")) return false;
        if (Console.IsOutputRedirected) return false;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return true;
        return (environment.ContainsKey("DISPLAY") || environment.ContainsKey("WAYLAND_DISPLAY")) && File.Exists("/usr/bin/xdg-open");
    }

    public static void Open(string path)
    {
        var psi = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new ProcessStartInfo(path) { UseShellExecute = true }
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? new ProcessStartInfo("open", [path])
            : new ProcessStartInfo("/usr/bin/xdg-open", [path]);
        psi.RedirectStandardOutput = psi.RedirectStandardError = !psi.UseShellExecute;
        try { Process.Start(psi)?.Dispose(); }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException) { }
    }
}
