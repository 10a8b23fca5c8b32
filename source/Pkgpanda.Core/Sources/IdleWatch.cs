namespace Pkgpanda.Core.Sources;

/// <summary>
/// A token that fires when a transfer makes no progress for <see cref="Limit"/>: a server that accepts a connection and
/// then says nothing (or stops in the middle of a body) ends the attempt instead of holding the run for many minutes.
/// Touch it whenever bytes arrive. A large transfer that keeps moving is never cut.
/// </summary>
internal sealed class IdleWatch : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _outer;

    public IdleWatch(CancellationToken outer, TimeSpan limit)
    {
        _outer = outer;
        Limit = limit;
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _source.CancelAfter(limit);
    }

    public TimeSpan Limit { get; }

    public CancellationToken Token => _source.Token;

    /// <summary>It fired (the transfer stalled), not the caller's own cancellation.</summary>
    public bool Fired => _source.IsCancellationRequested && !_outer.IsCancellationRequested;

    /// <summary>Bytes arrived: the limit counts from now.</summary>
    public void Touch()
    {
        if (!_source.IsCancellationRequested) _source.CancelAfter(Limit);
    }

    /// <summary>No limit from now (e.g. an upload, whose progress is the sending, not the answer).</summary>
    public void Off()
    {
        if (!_source.IsCancellationRequested) _source.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>What a stalled attempt is called in messages.</summary>
    public string Describe() => $"no data from the server for {Limit.TotalSeconds:0} s";

    public void Dispose() => _source.Dispose();
}
