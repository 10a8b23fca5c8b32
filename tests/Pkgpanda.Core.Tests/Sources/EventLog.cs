using System.Collections.Concurrent;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Tests.Sources;

/// <summary>Records fetch events synchronously (Progress&lt;T&gt; would post them later).</summary>
public sealed class EventLog : IProgress<FetchEvent>
{
    private readonly ConcurrentQueue<FetchEvent> _events = new();

    public IReadOnlyList<FetchEvent> Events => _events.ToList();

    public IReadOnlyList<T> Of<T>() where T : FetchEvent => _events.OfType<T>().ToList();

    public void Report(FetchEvent value) => _events.Enqueue(value);
}
