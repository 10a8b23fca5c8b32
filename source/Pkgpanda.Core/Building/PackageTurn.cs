namespace Pkgpanda.Core.Building;

/// <summary>
/// What the scheduler tells a package's work that it starts early, while the package's requires may still build:
/// when they are done (and whether the package runs at all), and the <see cref="SchedulerOptions.Parallel"/> slot the
/// work holds while its step runs. Work that runs must wait for <see cref="RequiresBuilt"/> before using what its
/// requires made; when it is false the scheduler reports the package itself and ignores what the work returns. A
/// require that said <see cref="ResultReady"/> counts as built for that, while its tarball is still packed: work must
/// then wait for <see cref="RequiresPacked"/> before it keeps anything of its own.
/// </summary>
internal sealed class PackageTurn(RunSlots slots, CancellationToken stop, TaskCompletionSource? resultReady = null, Task<bool>? requiresPacked = null)
{
    private readonly TaskCompletionSource<bool> _requires = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _queue = CancellationTokenSource.CreateLinkedTokenSource(stop);
    private readonly List<IDisposable> _kept = [];
    private readonly Lock _lock = new();
    private Place? _queued;
    private bool _wants;
    private volatile Func<bool>? _startsNow;

    /// <summary>
    /// True once every require was built or is up to date, or has its result ready (<see cref="ResultReady"/>); false
    /// when the package will not run.
    /// </summary>
    public Task<bool> RequiresBuilt => _requires.Task;

    /// <summary>
    /// True once every require is done and in the cache; false when one failed after its result was ready (its
    /// packing failed): what this package built on it must not be kept, and the scheduler reports it as skipped.
    /// </summary>
    public Task<bool> RequiresPacked { get; } = requiresPacked ?? Task.FromResult(true);

    /// <summary>
    /// The package's script is done and its result checked: the packages that require it may start from its result
    /// folder while its tarball is packed (<see cref="BuiltResults"/>).
    /// </summary>
    public void ResultReady() => resultReady?.TrySetResult();

    /// <summary>
    /// Says the work will want a slot once its requires are done: the scheduler then puts it in line for one the moment
    /// they are, so packages get slots in the order they became ready, whatever the work does first.
    /// </summary>
    public void WillRun()
    {
        lock (_lock) _wants = true;
    }

    internal void Decide(bool runs)
    {
        if (!_requires.TrySetResult(runs) || !runs) return;
        lock (_lock) if (_wants) _queued ??= Queue();
    }

    /// <summary>Whether the package was granted its run slot already (it starts as soon as it is prepared).</summary>
    public bool SlotGranted
    {
        get
        {
            lock (_lock) return _queued is { } place && place.Granted.IsCompletedSuccessfully && place.Granted.Result;
        }
    }

    /// <summary>
    /// Says where the step was prepared: while <paramref name="startsNow"/> answers true (its engine has room), a freed
    /// slot goes to this package ahead of those in line before it, whose steps would wait or move (<see cref="RunSlots"/>).
    /// </summary>
    public void StartsNowWhen(Func<bool> startsNow) => _startsNow = startsNow;

    /// <summary>
    /// Waits for one of the run's slots (how many steps run at once); dispose it when the step is over. Throws
    /// <see cref="OperationCanceledException"/> when the run stopped (after a failure, or cancelled) before a slot was free.
    /// </summary>
    public async Task<IDisposable> RunSlotAsync(CancellationToken cancellationToken)
    {
        Place place;
        lock (_lock) place = _queued ??= Queue();
        if (await place.Granted.WaitAsync(cancellationToken).ConfigureAwait(false) && Interlocked.Exchange(ref place.Claimed, 1) == 0)
            return new Held(this);
        throw new OperationCanceledException(stop.IsCancellationRequested ? stop : cancellationToken);
    }

    /// <summary>
    /// Keeps the slot of a step that failed until the scheduler has heard of the failure (which stops new work by
    /// default), so no other package starts in it first.
    /// </summary>
    public void ReleaseWhenReported(IDisposable slot)
    {
        lock (_lock) _kept.Add(slot);
    }

    /// <summary>The scheduler has the package's result: kept slots free, and a slot granted that nobody took goes back.</summary>
    internal void Reported()
    {
        List<IDisposable> kept;
        lock (_lock)
        {
            kept = [.. _kept];
            _kept.Clear();
        }
        foreach (var slot in kept) slot.Dispose();
        Place? left;
        lock (_lock)
        {
            left = _queued;
            _queued = null;
        }
        _queue.Cancel();
        left?.Granted.ContinueWith(t =>
        {
            if (t.Result && Interlocked.Exchange(ref left.Claimed, 1) == 0) slots.Release();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>A place in line for a slot: true once granted, false when the run stopped first. Never faults.</summary>
    /// <remarks>A cancelled waiter leaves the line a moment later; a slot freed in between (a failed step's, freed
    /// right after the stop) goes back rather than start new work after the stop.</remarks>
    private Place Queue() => new(slots.WaitAsync(() => _startsNow?.Invoke() == true, _queue.Token).ContinueWith(t =>
    {
        if (!t.Result) return false;
        if (!_queue.IsCancellationRequested) return true;
        slots.Release();
        return false;
    }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));

    /// <summary>A slot given back: a package built again (its engine was lost) gets in line anew.</summary>
    private void Release()
    {
        lock (_lock) _queued = null;
        slots.Release();
    }

    private sealed class Place(Task<bool> granted)
    {
        public Task<bool> Granted { get; } = granted;
        /// <summary>1 once the slot went to the work (or back to the scheduler).</summary>
        public int Claimed;
    }

    private sealed class Held(PackageTurn turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) turn.Release();
        }
    }
}
