using System.Diagnostics;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Runs a system tool (xz, tar, docker, dotnet, pwsh) for checks from the outside.</summary>
public static class Tool
{
    public static Task<Cli.Result> RunAsync(string file, params string[] args) => RunInAsync(null, null, file, args);

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="workingDirectory"/>, without the caller's NUKE_* variables
    /// (a build script's root must not leak into a test's), plus <paramref name="environment"/>.
    /// </summary>
    public static async Task<Cli.Result> RunInAsync(string? workingDirectory, IDictionary<string, string>? environment, string file,
        string[] args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("NUKE_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(10));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout ?? TimeSpan.FromMinutes(10)}.");
        }
        return new Cli.Result(p.ExitCode, await stdout + await stderr);
    }
}
