using System.Diagnostics;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;
using Pkgpanda.Core.Tests.Building;

namespace Pkgpanda.Core.Tests.Runners;

/// <summary>The pool against the real engine: per-engine capacity, the total cap, which engine built what.</summary>
public class EnginePoolTests
{
    /// <summary>One engine of the pool under its own name, counting the steps it runs at once (the real engine runs them).</summary>
    private sealed class NamedEngine(string address, IRunner inner, Counter total) : IRunner
    {
        private readonly Counter _here = new();

        public int Peak => _here.Peak;
        public int Runs => _here.Runs;

        public string Address => address;

        public async Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken)
        {
            _here.Enter();
            total.Enter();
            try { return await inner.RunAsync(step, output, cancellationToken); }
            finally
            {
                total.Leave();
                _here.Leave();
            }
        }

        public Task FlushAsync() => inner.FlushAsync();

        public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken) => inner.RemoveAbandonedAsync(cancellationToken);
    }

    private sealed class Counter
    {
        private int _running;
        public int Peak;
        public int Runs;

        public void Enter()
        {
            lock (this)
            {
                Runs++;
                Peak = Math.Max(Peak, ++_running);
            }
        }

        public void Leave()
        {
            lock (this) _running--;
        }
    }

    private sealed class Events : IProgress<BuildEvent>
    {
        public void Report(BuildEvent value) { }
    }

    private static async Task<(BuildSummary Summary, NamedEngine A, NamedEngine B, Counter Total)> BuildWideTree(int width, int capacityA, int capacityB, int parallel)
    {
        using var tree = new TempTree();
        for (var i = 0; i < width; i++)
            tree.Package($"w{i}", "{}", script: "#!/bin/sh\nsleep 1\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n");
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var total = new Counter();
        var a = new NamedEngine("engine-a", docker, total);
        var b = new NamedEngine("engine-b", docker, total);
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        using var fetchers = new SourceFetchers(store.CacheDir);
        var plans = await new IdBuilder(fetchers, docker, Engine.Image).ComputeAsync(graph);
        var pool = new EnginePool([new PoolEngine(a, docker, capacityA), new PoolEngine(b, docker, capacityB)]);
        pool.Capacity.ShouldBe(capacityA + capacityB);
        var context = new BuildContext { Cache = new PackageCache(store.CacheDir), Engines = pool, Sources = new SourceFetchService(fetchers), Events = new Events() };
        var summary = await TreeBuild.RunAsync(graph, plans, context, new SchedulerOptions(parallel), CancellationToken.None);
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Key} {r.Status} {r.Reason}")));
        return (summary, a, b, total);
    }

    [DockerFact]
    public async Task Each_engine_runs_at_most_its_capacity_and_the_results_name_the_engine()
    {
        var (summary, a, b, total) = await BuildWideTree(width: 6, capacityA: 1, capacityB: 2, parallel: 10);
        total.Peak.ShouldBe(3);
        a.Peak.ShouldBe(1);
        b.Peak.ShouldBe(2);
        (a.Runs + b.Runs).ShouldBe(6);
        summary.Results.Count(r => r.Engine == "engine-a").ShouldBe(a.Runs);
        summary.Results.Count(r => r.Engine == "engine-b").ShouldBe(b.Runs);
    }

    [DockerFact]
    public async Task Parallel_caps_the_total_over_all_engines()
    {
        var (_, _, _, total) = await BuildWideTree(width: 5, capacityA: 2, capacityB: 2, parallel: 2);
        total.Peak.ShouldBe(2);
        total.Runs.ShouldBe(5);
    }

    [DockerFact]
    public async Task An_engine_s_capacity_is_the_cpus_it_reports_unless_told()
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var psi = new ProcessStartInfo("docker", ["info", "--format", "{{.NCPU}}"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var ncpu = int.Parse((await p.StandardOutput.ReadToEndAsync()).Trim());
        var pool = await EnginePool.OpenAsync([(docker, null)], SyncProgress<string>.Ignore, CancellationToken.None);
        pool.Capacity.ShouldBe(ncpu);
        using var other = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        (await EnginePool.OpenAsync([(other, 5)], SyncProgress<string>.Ignore, CancellationToken.None)).Capacity.ShouldBe(5);
    }

    [Fact]
    public async Task A_pool_of_engines_that_do_not_answer_is_one_fault_naming_each()
    {
        using var a = new DockerRunner(new Uri($"unix:///tmp/pkgpanda-none-{Guid.NewGuid():N}.sock"));
        using var b = new DockerRunner(new Uri("tcp://127.0.0.1:1"));
        var reports = new List<string>();
        var fault = await Should.ThrowAsync<EnvironmentFault>(() => EnginePool.OpenAsync([(a, null), (b, null)], new SyncProgress<string>(reports.Add), CancellationToken.None));
        fault.Message.ShouldContain(a.Address);
        fault.Message.ShouldContain(b.Address);
        reports.ShouldBeEmpty("the fault names each engine; no warning first that the build goes on without one");
    }
}
