using System.Diagnostics;
using System.Text;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Runs <c>./build.sh</c> as a user does and captures what it prints.</summary>
public static class Cli
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}";
    }

    public static async Task<Result> RunAsync(IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(Path.Combine(RepoRoot, "build.sh"))
        {
            WorkingDirectory = workingDirectory ?? RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Tests must not inherit a CI flavour of output or a caller's parameters.
        psi.Environment.Remove("GITHUB_ACTIONS");
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("NUKE_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(10));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"./build.sh {string.Join(' ', args)} did not finish:\n{output}");
        }
        process.WaitForExit();
        lock (output) return new Result(process.ExitCode, output.ToString());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.sh")) && Directory.Exists(Path.Combine(dir.FullName, ".nuke")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (a folder with build.sh and .nuke/).");
    }
}
