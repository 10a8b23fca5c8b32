namespace Pkgpanda.Core.Building;

/// <summary>
/// The run's slots (how many steps run at once, <see cref="SchedulerOptions.Parallel"/>), given in the order packages
/// asked for them, with one exception: a freed slot goes first to a package whose step can start at once where it was
/// prepared (its engine has room), ahead of one whose engine is full. With several engines, the slot a finished step
/// freed on one engine otherwise went to the head of the line, prepared on another, full engine: it moved (its
/// container made and its inputs sent again) while a step prepared on the free engine waited.
/// </summary>
internal sealed class RunSlots(int count)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _line = new();
    private int _free = count;

    /// <summary>
    /// True once a slot is granted, false when <paramref name="cancellationToken"/> ended the wait first. Never faults.
    /// <paramref name="startsNow"/>, when it answers true, puts the waiter ahead of those before it; it is asked under
    /// this line's lock and a true answer is always followed by the grant, so it may take the room it found (claim it).
    /// </summary>
    public Task<bool> WaitAsync(Func<bool> startsNow, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(startsNow);
        lock (_lock)
        {
            if (_free > 0 && _line.Count == 0)
            {
                _free--;
                return Task.FromResult(true);
            }
            waiter.Node = _line.AddLast(waiter);
        }
        if (!cancellationToken.CanBeCanceled) return waiter.Done.Task;
        var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (waiter.Node is null) return; // granted meanwhile: the caller gives it back
                _line.Remove(waiter.Node);
                waiter.Node = null;
            }
            waiter.Done.TrySetResult(false);
        });
        var over = false;
        lock (_lock)
        {
            if (waiter.Node is null) over = true;
            else waiter.Registration = registration;
        }
        if (over) registration.Dispose();
        return waiter.Done.Task;
    }

    /// <summary>A slot is free again: it goes to the first waiter that can start at once, else to the first in line.</summary>
    public void Release()
    {
        Waiter? granted;
        CancellationTokenRegistration registration = default;
        lock (_lock)
        {
            _free++;
            granted = Next();
            if (granted is not null)
            {
                _free--;
                registration = granted.Registration;
            }
        }
        if (granted is null) return;
        registration.Dispose();
        granted.Done.TrySetResult(true);
    }

    /// <summary>Under the lock: takes the waiter a free slot goes to out of the line.</summary>
    private Waiter? Next()
    {
        if (_line.First is not { } first) return null;
        var pick = first;
        for (var node = first; node is not null; node = node.Next)
            if (node.Value.StartsNow())
            {
                pick = node;
                break;
            }
        _line.Remove(pick);
        pick.Value.Node = null;
        return pick.Value;
    }

    private sealed class Waiter(Func<bool> startsNow)
    {
        public Func<bool> StartsNow { get; } = startsNow;
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Its place in line; null once granted or cancelled (under the lock).</summary>
        public LinkedListNode<Waiter>? Node;
        /// <summary>Set under the lock while it is in line (else disposed by whoever registered it).</summary>
        public CancellationTokenRegistration Registration;
    }
}
