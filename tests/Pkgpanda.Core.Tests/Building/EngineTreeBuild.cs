using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Building;

/// <summary>A whole tree built with <see cref="TreeBuild"/> on the real engine, through a runner the test wraps around it.</summary>
internal static class EngineTreeBuild
{
    public sealed record Built(BuildSummary Summary, IReadOnlyDictionary<PackageKey, PackagePlan> Plans, PackageCache Cache)
    {
        public PackageId IdOf(string name) => Plans.Values.Single(p => p.Id.Name == name).Id;
    }

    /// <param name="before">Called with the ids and the cache once they are known, before the build starts.</param>
    /// <param name="events">What the build reports (by default, nothing listens).</param>
    public static async Task<Built> RunAsync(TempTree tree, Func<DockerRunner, IRunner> wrap, int capacity, int parallel,
        Action<IReadOnlyDictionary<PackageKey, PackagePlan>, PackageCache>? before = null, IProgress<BuildEvent>? events = null, bool succeeds = true)
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        using var fetchers = new SourceFetchers(store.CacheDir);
        var plans = await new IdBuilder(fetchers, docker, Engine.Image).ComputeAsync(graph);
        var cache = new PackageCache(store.CacheDir);
        before?.Invoke(plans, cache);
        var context = new BuildContext
        {
            Cache = cache, Engines = new EnginePool([new PoolEngine(wrap(docker), docker, capacity)]), Sources = new SourceFetchService(fetchers), Events = events ?? new NoEvents(),
        };
        var summary = await TreeBuild.RunAsync(graph, plans, context, new SchedulerOptions(parallel), CancellationToken.None);
        if (succeeds) summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Key} {r.Status} {r.Reason}")));
        return new Built(summary, plans, cache);
    }

    private sealed class NoEvents : IProgress<BuildEvent>
    {
        public void Report(BuildEvent value) { }
    }
}

/// <summary>
/// A runner that tells a test when each step's container is asked for (<paramref name="asked"/>, before the engine
/// makes it), made (<paramref name="made"/>) and done running (<paramref name="ended"/>), by package name.
/// </summary>
internal sealed class ObservedRunner(IRunner inner, Action<string, BuildStep>? asked = null, Action<string>? made = null, Action<string>? ended = null) : IRunner
{
    public string Address => inner.Address;

    public async Task<IPreparedStep> PrepareAsync(BuildStep step, CancellationToken cancellationToken)
    {
        var name = step.Name.Split("--")[0];
        asked?.Invoke(name, step);
        var prepared = await inner.PrepareAsync(step, cancellationToken);
        made?.Invoke(name);
        return new Observed(prepared, () => ended?.Invoke(name));
    }

    public Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken) => inner.RunAsync(step, output, cancellationToken);

    public Task FlushAsync() => inner.FlushAsync();

    public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken) => inner.RemoveAbandonedAsync(cancellationToken);

    private sealed class Observed(IPreparedStep inner, Action ended) : IPreparedStep
    {
        public Task CompleteInputsAsync(CancellationToken cancellationToken) => inner.CompleteInputsAsync(cancellationToken);

        public async Task<long> RunAsync(IProgress<string> output, CancellationToken cancellationToken)
        {
            var exit = await inner.RunAsync(output, cancellationToken);
            ended();
            return exit;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
