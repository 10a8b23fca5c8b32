namespace Pkgpanda.Core.Building;

/// <summary>
/// Engine work in order of need. A package whose requires are built (ready) makes its container, activates its
/// requires and starts; a package still waiting for its requires (looking ahead) makes its container only when no
/// ready package is doing that. On a small machine a dozen containers made at once slow each other down, and the
/// ready ones, which the build waits for, went no sooner than the ones made ahead (benchmarks/scheduler.sh). One per
/// run; an order, not a lock: a package that becomes ready while it waits here goes at once.
/// </summary>
internal sealed class ReadyFirst
{
    private readonly Lock _lock = new();
    private int _readyPreparing;
    private TaskCompletionSource _idle = Idle();

    /// <summary>A ready package is preparing (its container, its requires); dispose once it waits only for a slot.</summary>
    public Scope Preparing()
    {
        Enter();
        return new Scope(this);
    }

    private void Enter()
    {
        lock (_lock)
        {
            if (_readyPreparing++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>
    /// Returns once no ready package is preparing, or once <paramref name="requiresBuilt"/> is decided (the package is
    /// ready itself, or will not run).
    /// </summary>
    public async Task WaitTurnAsync(Task<bool> requiresBuilt, CancellationToken cancellationToken)
    {
        while (!requiresBuilt.IsCompleted)
        {
            Task idle;
            lock (_lock)
            {
                if (_readyPreparing == 0) return;
                idle = _idle.Task;
            }
            await Task.WhenAny(idle, requiresBuilt).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Done()
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            if (--_readyPreparing == 0) idle = _idle;
        }
        idle?.TrySetResult();
    }

    private static TaskCompletionSource Idle()
    {
        var idle = new TaskCompletionSource();
        idle.SetResult();
        return idle;
    }

    /// <summary>
    /// A ready package's turn. <see cref="Pause"/> while it waits for something that is not engine work and may take
    /// long (a big archive extracted), so that containers made ahead go meanwhile; <see cref="Resume"/> after.
    /// </summary>
    internal sealed class Scope(ReadyFirst owner) : IDisposable
    {
        private readonly Lock _lock = new();
        private bool _active = true, _disposed;

        public void Pause() => Set(active: false);

        public void Resume() => Set(active: true);

        public void Dispose()
        {
            Set(active: false);
            lock (_lock) _disposed = true;
        }

        private void Set(bool active)
        {
            lock (_lock)
            {
                if (_disposed || _active == active) return;
                _active = active;
                if (active) owner.Enter(); else owner.Done();
            }
        }
    }
}
