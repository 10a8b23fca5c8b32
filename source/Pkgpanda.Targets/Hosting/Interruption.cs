using System.Runtime.InteropServices;

namespace Pkgpanda.Targets;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM during a run. The first signal cancels the run's token, so targets stop at their next
/// await and clean up (containers, scratch). A worker blocked in a synchronous call never sees the token; so if the run
/// has not ended after <c>grace</c>, the build removes what it had in flight (<see cref="NukeBuild.OnInterruptTimedOut"/>)
/// and the process exits with 130 (SIGINT) or 143 (SIGTERM), the shell's codes for those signals. A second signal exits at once,
/// the same way.
/// </summary>
internal sealed class Interruption : IDisposable
{
    public const int ExitInterrupted = 130;
    public const int ExitTerminated = 143;

    private readonly CancellationTokenSource _cancellation;
    private readonly TimeSpan _grace;
    private readonly Action _beforeExit;
    private readonly Action<string> _report;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private int _exitCode;
    private Timer? _timer;

    /// <param name="report">Told why the process exits when the grace period ran out (a run that ended silently read as a crash).</param>
    public Interruption(CancellationTokenSource cancellation, TimeSpan grace, Action beforeExit, Action<string> report)
    {
        _cancellation = cancellation;
        _grace = grace;
        _beforeExit = beforeExit;
        _report = report;
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, ExitInterrupted));
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, ExitTerminated));
    }

    /// <summary>130 or 143 once a signal came; null before.</summary>
    public int? ExitCode => Volatile.Read(ref _exitCode) is var code and not 0 ? code : null;

    private void OnSignal(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
        {
            Exit(exitCode);
            return;
        }
        // Cancel's callbacks run on the calling thread; the signal thread must stay free for a second signal.
        _ = Task.Run(_cancellation.Cancel);
        _timer = new Timer(_ =>
        {
            var message = $"The run did not stop within {_grace.TotalSeconds:0.#} s of {(exitCode == ExitInterrupted ? "Ctrl+C (SIGINT)" : "SIGTERM")}: its work is blocked in a call " +
                          "that cannot be cancelled (e.g. a git fetch from a server that stopped answering). It is ended now; its temporary files and build " +
                          "folders in the cache are removed, and the next build removes the containers it left.";
            // Bounded: the console may be blocked itself (output piped to a reader that stopped), and the exit must happen.
            try { Task.Run(() => _report(message)).Wait(TimeSpan.FromMilliseconds(500)); }
            catch (AggregateException) { }
            Exit(exitCode);
        }, null, _grace, Timeout.InfiniteTimeSpan);
    }

    private void Exit(int exitCode)
    {
        try { _beforeExit(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException) { }
        Environment.Exit(exitCode);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _sigint.Dispose();
        _sigterm.Dispose();
    }
}
