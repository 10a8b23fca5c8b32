using System.Diagnostics;
using System.Text;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>A ./build.sh started in the background, for tests that interrupt it.</summary>
public sealed class Running : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public Running(IEnumerable<string> args)
    {
        // A process started from a background job inherits SIGINT ignored (POSIX), and a .NET process keeps it so for its
        // children; env resets it (and execs, so the pid stays the build's) as a terminal's Ctrl+C would find it.
        var psi = new ProcessStartInfo("env", ["--default-signal=INT", Path.Combine(Cli.RepoRoot, "build.sh")])
        {
            WorkingDirectory = Cli.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GITHUB_ACTIONS");
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until <paramref name="condition"/> holds (polling), failing with the output if the process ends first.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (!condition())
        {
            if (_process.HasExited) throw new InvalidOperationException($"build ended before {what}:\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never saw {what}:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until <paramref name="package"/>'s build script has printed <paramref name="line"/>: its script runs. A
    /// running container is not that: a package's container starts ahead, its script held back while its requires are
    /// activated (and the files that takes are written).
    /// </summary>
    public Task WaitForScriptAsync(string package, string line) =>
        WaitUntilAsync(() => Output.Contains($"{package} | {line}", StringComparison.Ordinal), $"{package}'s script printing \"{line}\"");

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Signal(string signal) => Process.Start("kill", [$"-{signal}", Pid.ToString()])!.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
