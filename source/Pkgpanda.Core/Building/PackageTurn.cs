namespace Pkgpanda.Core.Building;

/// <summary>
/// What the scheduler tells a package's work that it starts early, while the package's requires may still build:
/// when they are done (and whether the package runs at all), and the <see cref="SchedulerOptions.Parallel"/> slot the
/// work holds while its step runs. Work that runs must wait for <see cref="RequiresBuilt"/> before using what its
/// requires made; when it is false the scheduler reports the package itself and ignores what the work returns.
/// </summary>
internal sealed class PackageTurn(SemaphoreSlim slots, CancellationToken stop)
{
    private readonly TaskCompletionSource<bool> _requires = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once every require was built or is up to date; false when the package will not run.</summary>
    public Task<bool> RequiresBuilt => _requires.Task;

    /// <summary>A turn whose requires are already done (a package run on its own).</summary>
    public static PackageTurn Ready(SemaphoreSlim slots, CancellationToken stop)
    {
        var turn = new PackageTurn(slots, stop);
        turn.Decide(true);
        return turn;
    }

    internal void Decide(bool runs) => _requires.TrySetResult(runs);

    /// <summary>
    /// Waits for one of the run's slots (how many steps run at once); dispose it when the step is over. Throws
    /// <see cref="OperationCanceledException"/> when the run stopped (after a failure, or cancelled) before a slot was free.
    /// </summary>
    public async Task<IDisposable> RunSlotAsync(CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stop, cancellationToken);
        await slots.WaitAsync(both.Token).ConfigureAwait(false);
        return new Held(slots);
    }

    private sealed class Held(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
