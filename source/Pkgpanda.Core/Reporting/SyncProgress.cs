namespace Pkgpanda.Core.Reporting;

/// <summary>
/// Reports on the caller's thread, in order. System.Progress posts to the thread pool, so its callbacks run late
/// and out of order: lines interleave wrongly and errors gathered during a call are not there when it returns.
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public static readonly IProgress<T> Ignore = new SyncProgress<T>(_ => { });

    public void Report(T value) => report(value);
}
