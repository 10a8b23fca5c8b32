namespace Pkgpanda.EndToEnd.Tests;

/// <summary>PowerShell 7 (a .NET global tool; .ci/run installs it): build.ps1 is run with it, as on Windows.</summary>
public static class PowerShell
{
    public static string Find()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "pwsh")).FirstOrDefault(File.Exists);
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "pwsh");
        var found = onPath ?? (File.Exists(tool) ? tool : null);
        found.ShouldNotBeNull("pwsh is missing: install it with `dotnet tool install --global PowerShell --version 7.6.9` (.ci/run does).");
        return found;
    }

    /// <summary>build.cmd's way on Windows: <c>powershell -ExecutionPolicy ByPass -NoProfile -File build.ps1 args</c>.</summary>
    public static Task<Cli.Result> RunScriptAsync(string script, string[] args, string workingDirectory, IDictionary<string, string>? environment = null) =>
        Tool.RunInAsync(workingDirectory, environment, Find(), ["-ExecutionPolicy", "ByPass", "-NoProfile", "-File", script, .. args]);
}
