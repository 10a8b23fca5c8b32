using System.Runtime.InteropServices;

namespace Pkgpanda.Targets;

/// <summary>
/// Ctrl+C and SIGTERM cancel the run's token. The first Ctrl+C stops the build after the running target's cleanup;
/// a second one kills the process. Registered for the life of this object only, so several runs can share a process.
/// </summary>
internal sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly ConsoleCancelEventHandler _onCancel;
    private readonly PosixSignalRegistration _sigterm;

    public SignalCancellation()
    {
        _onCancel = (_, e) =>
        {
            e.Cancel = !_source.IsCancellationRequested;
            _source.Cancel();
        };
        Console.CancelKeyPress += _onCancel;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; _source.Cancel(); });
    }

    public CancellationToken Token => _source.Token;

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCancel;
        _sigterm.Dispose();
        _source.Dispose();
    }
}
