using System.Diagnostics;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Runs a system tool (xz, tar, docker) for checks from the outside.</summary>
public static class Tool
{
    public static async Task<Cli.Result> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return new Cli.Result(p.ExitCode, await stdout + await stderr);
    }
}
