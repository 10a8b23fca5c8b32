using System.Collections.Concurrent;
using System.Diagnostics;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Building;

public class ReadyFirstTests
{
    [Fact]
    public async Task A_container_made_ahead_waits_while_a_ready_package_prepares_and_goes_once_it_is_done()
    {
        var order = new ReadyFirst();
        var undecided = new TaskCompletionSource<bool>();
        var preparing = order.Preparing();

        var ahead = order.WaitTurnAsync(undecided.Task, CancellationToken.None);
        await Task.Delay(100);
        ahead.IsCompleted.ShouldBeFalse("a ready package is still preparing");

        preparing.Dispose();
        await ahead.WaitAsync(TimeSpan.FromSeconds(5));
        await order.WaitTurnAsync(undecided.Task, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_package_that_becomes_ready_while_it_waits_goes_at_once()
    {
        var order = new ReadyFirst();
        using var preparing = order.Preparing();
        var requires = new TaskCompletionSource<bool>();

        var ahead = order.WaitTurnAsync(requires.Task, CancellationToken.None);
        ahead.IsCompleted.ShouldBeFalse();
        requires.SetResult(true);

        await ahead.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Waiting_ends_with_the_run_s_cancellation_and_a_scope_counts_once()
    {
        var order = new ReadyFirst();
        var first = order.Preparing();
        using var second = order.Preparing();
        first.Dispose();
        first.Dispose();
        using var cancel = new CancellationTokenSource();

        var ahead = order.WaitTurnAsync(new TaskCompletionSource<bool>().Task, cancel.Token);
        await Task.Delay(50);
        ahead.IsCompleted.ShouldBeFalse("the second ready package still prepares, however often the first said it was done");
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(ahead.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    /// <summary>Records when each step's container is asked for and made, and when its step ends.</summary>
    private sealed class PrepareClock(IRunner inner) : IRunner
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        public ConcurrentDictionary<string, (TimeSpan Asked, TimeSpan Made)> Prepares { get; } = new();
        public ConcurrentDictionary<string, TimeSpan> Ended { get; } = new();

        public string Address => inner.Address;

        public async Task<IPreparedStep> PrepareAsync(BuildStep step, CancellationToken cancellationToken)
        {
            var asked = _clock.Elapsed;
            var prepared = await inner.PrepareAsync(step, cancellationToken);
            var name = step.Name.Split("--")[0];
            Prepares[name] = (asked, _clock.Elapsed);
            return new Timed(prepared, () => Ended[name] = _clock.Elapsed);
        }

        private sealed class Timed(IPreparedStep inner, Action ended) : IPreparedStep
        {
            public Task CompleteInputsAsync(CancellationToken cancellationToken) => inner.CompleteInputsAsync(cancellationToken);

            public async Task<long> RunAsync(IProgress<string> output, CancellationToken cancellationToken)
            {
                try { return await inner.RunAsync(output, cancellationToken); }
                finally { ended(); }
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }

        public Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken) => inner.RunAsync(step, output, cancellationToken);

        public Task FlushAsync() => inner.FlushAsync();

        public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken) => inner.RemoveAbandonedAsync(cancellationToken);
    }

    private sealed class NoEvents : IProgress<BuildEvent>
    {
        public void Report(BuildEvent value) { }
    }

    [DockerFact]
    public async Task On_a_real_engine_the_ready_packages_containers_are_made_before_one_made_ahead()
    {
        const string script = "#!/bin/sh\nsleep 1\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        using var tree = new TempTree().Package("a", script: script).Package("b", script: script).Package("c", script: script)
            .Package("d", "{\"requires\": [\"a\"]}", script: script);
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var clock = new PrepareClock(docker);
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        using var fetchers = new SourceFetchers(store.CacheDir);
        var plans = await new IdBuilder(fetchers, docker, Engine.Image).ComputeAsync(graph);
        var context = new BuildContext { Cache = new PackageCache(store.CacheDir), Engines = new EnginePool([new PoolEngine(clock, docker, 4)]), Sources = new SourceFetchService(fetchers), Events = new NoEvents() };

        var summary = await TreeBuild.RunAsync(graph, plans, context, new SchedulerOptions(4), CancellationToken.None);

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Key} {r.Status} {r.Reason}")));
        var ready = new[] { "a", "b", "c" }.Select(p => clock.Prepares[p].Made).Max();
        // d's require (a) was under way, not built: d's container is made ahead, once the ready ones are in place.
        clock.Prepares["d"].Asked.ShouldBeGreaterThanOrEqualTo(ready, string.Join(", ", clock.Prepares.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        clock.Prepares["d"].Made.ShouldBeLessThan(clock.Ended["a"], "made ahead, while a still built");
    }
}
