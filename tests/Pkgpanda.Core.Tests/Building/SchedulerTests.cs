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

public class SchedulerTests
{
    /// <summary>Counts containers running at once, as the engine sees them started and finished.</summary>
    private sealed class CountingRunner(IRunner inner) : IRunner
    {
        private int _running;
        public int Peak;
        public int Runs;

        public string Address => inner.Address;

        public async Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            Interlocked.Increment(ref Runs);
            lock (this) Peak = Math.Max(Peak, now);
            try { return await inner.RunAsync(step, output, cancellationToken); }
            finally { Interlocked.Decrement(ref _running); }
        }

        public Task FlushAsync() => inner.FlushAsync();

        public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken) => inner.RemoveAbandonedAsync(cancellationToken);
    }

    private sealed class Events : IProgress<BuildEvent>
    {
        public void Report(BuildEvent value) { }
    }

    private static TempTree WideTree(int width)
    {
        var tree = new TempTree();
        for (var i = 0; i < width; i++)
            tree.Package($"w{i}", "{}", script: "#!/bin/sh\nsleep 1\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n");
        tree.Package("top", $"{{\"requires\": [{string.Join(", ", Enumerable.Range(0, width).Select(i => $"\"w{i}\""))}]}}");
        return tree;
    }

    [DockerFact]
    public async Task No_more_containers_run_at_once_than_parallel_allows()
    {
        using var tree = WideTree(6);
        CountingRunner? runner = null;

        await EngineTreeBuild.RunAsync(tree, docker => runner = new CountingRunner(docker), capacity: 8, parallel: 3);

        runner!.Runs.ShouldBe(7);
        runner.Peak.ShouldBe(3);
    }

    [Fact]
    public async Task A_package_starts_only_after_all_its_requires_finished()
    {
        using var tree = new TempTree().Package("a").Package("b", "{\"requires\": [\"a\"]}").Package("c", "{\"requires\": [\"a\"]}").Package("d", "{\"requires\": [\"b\", \"c\"]}");
        var graph = new Selection(null, null, null).Resolve(PackageStore.Load(tree.Root));
        var finished = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var violations = new System.Collections.Concurrent.ConcurrentBag<string>();
        var results = await new Scheduler(new SchedulerOptions(4), new Events()).RunAsync(graph, async (key, ct) =>
        {
            foreach (var r in graph.RequiresOf(key))
                if (!finished.ContainsKey(r.Name)) violations.Add($"{key.Name} started before {r.Name}");
            await Task.Delay(50, ct);
            finished[key.Name] = true;
            return new PackageResult(key, null, PackageStatus.Built, TimeSpan.Zero);
        }, CancellationToken.None);
        violations.ShouldBeEmpty();
        results.Select(r => r.Status).ShouldAllBe(s => s == PackageStatus.Built);
    }

    [Fact]
    public async Task Independent_packages_overlap_up_to_the_limit()
    {
        using var tree = new TempTree().Package("a").Package("b").Package("c").Package("d").Package("e");
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        int running = 0, peak = 0;
        await new Scheduler(new SchedulerOptions(2), new Events()).RunAsync(graph, async (key, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (graph) peak = Math.Max(peak, now);
            await Task.Delay(100, ct);
            Interlocked.Decrement(ref running);
            return new PackageResult(key, null, PackageStatus.Built, TimeSpan.Zero);
        }, CancellationToken.None);
        peak.ShouldBe(2);
    }

    [Fact]
    public async Task A_failure_skips_its_dependants_naming_the_failed_package_and_continue_builds_the_rest()
    {
        using var tree = new TempTree().Package("a").Package("b", "{\"requires\": [\"a\"]}").Package("c", "{\"requires\": [\"b\"]}").Package("x");
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        var results = await new Scheduler(new SchedulerOptions(1, ContinueOnFailure: true), new Events()).RunAsync(graph, (key, ct) =>
            key.Name == "a" ? throw new BuildError("a broke") : Task.FromResult(new PackageResult(key, null, PackageStatus.Built, TimeSpan.Zero)),
            CancellationToken.None);
        var byName = results.ToDictionary(r => r.Key.Name);
        byName["a"].Status.ShouldBe(PackageStatus.Failed);
        byName["a"].Reason.ShouldBe("a broke");
        byName["b"].Reason.ShouldBe("requires a, which failed");
        byName["c"].Reason.ShouldBe("requires a, which failed");
        byName["x"].Status.ShouldBe(PackageStatus.Built);
    }

    [Fact]
    public async Task Work_starts_while_its_requires_build_runs_only_after_them_and_hears_when_it_will_not_run()
    {
        using var tree = new TempTree().Package("a").Package("b", "{\"requires\": [\"a\"]}").Package("x").Package("y", "{\"requires\": [\"x\"]}");
        var graph = new Selection(null, null, null).Resolve(PackageStore.Load(tree.Root));
        var aDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var results = await new Scheduler(new SchedulerOptions(2, ContinueOnFailure: true), new Events()).RunAsync(graph, async (key, turn, ct) =>
        {
            switch (key.Name)
            {
                case "a":
                    // a finishes only once b's work has begun: b prepares while a still builds.
                    await bStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                    aDone.SetResult();
                    break;
                case "b":
                    bStarted.SetResult();
                    (await turn.RequiresBuilt).ShouldBeTrue();
                    aDone.Task.IsCompleted.ShouldBeTrue();
                    using (await turn.RunSlotAsync(ct)) seen["b"] = "ran";
                    break;
                case "x":
                    throw new BuildError("x broke");
                case "y":
                    seen["y"] = (await turn.RequiresBuilt) ? "ran" : "told it will not run";
                    break;
            }
            return new PackageResult(key, null, PackageStatus.Built, TimeSpan.Zero);
        }, CancellationToken.None);
        var byName = results.ToDictionary(r => r.Key.Name);
        byName["b"].Status.ShouldBe(PackageStatus.Built, byName["b"].Reason);
        seen["b"].ShouldBe("ran");
        seen["y"].ShouldBe("told it will not run");
        byName["y"].Status.ShouldBe(PackageStatus.Skipped);
        byName["y"].Reason.ShouldBe("requires x, which failed");
    }

    /// <summary>
    /// Work in one slot: a takes it and fails 200 ms later; <paramref name="waiter"/> asks for the slot only once a holds
    /// it; the others are built.
    /// </summary>
    private static Func<PackageKey, PackageTurn, CancellationToken, Task<PackageResult>> AFailsWhileWaiting(string waiter)
    {
        var aHasSlot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return async (key, turn, ct) =>
        {
            if (!await turn.RequiresBuilt) return new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero);
            if (key.Name == waiter) await aHasSlot.Task;
            var slot = await turn.RunSlotAsync(ct);
            if (key.Name == "a")
            {
                aHasSlot.SetResult();
                await Task.Delay(200, ct);
                // As the package builder does: a failed step's slot frees once the scheduler has stopped new work.
                turn.ReleaseWhenReported(slot);
                throw new BuildError("a broke");
            }
            slot.Dispose();
            return new PackageResult(key, null, PackageStatus.Built, TimeSpan.Zero);
        };
    }

    [Fact]
    public async Task A_package_whose_require_failed_is_skipped_naming_it_even_when_another_require_was_not_run()
    {
        using var tree = new TempTree().Package("a").Package("b").Package("c", "{\"requires\": [\"b\", \"a\"]}");
        var graph = new Selection(null, null, null).Resolve(PackageStore.Load(tree.Root));
        var results = await new Scheduler(new SchedulerOptions(1), new Events()).RunAsync(graph, AFailsWhileWaiting("b"), CancellationToken.None);
        var byName = results.ToDictionary(r => r.Key.Name);
        byName["a"].Status.ShouldBe(PackageStatus.Failed);
        // b waited for the one slot; the failure stopped the run before that slot was free again.
        byName["b"].Status.ShouldBe(PackageStatus.NotRun, string.Join("; ", results.Select(r => $"{r.Key.Name} {r.Status} {r.Reason}")));
        byName["c"].Status.ShouldBe(PackageStatus.Skipped);
        byName["c"].Reason.ShouldBe("requires a, which failed");
    }

    [Fact]
    public async Task A_dependant_starts_once_its_require_says_its_result_is_ready_and_is_kept_only_when_the_require_finishes_well()
    {
        // a and x say their results are ready, then a finishes well and x fails (its packing, say).
        using var tree = new TempTree().Package("a").Package("b", "{\"requires\": [\"a\"]}").Package("x").Package("y", "{\"requires\": [\"x\"]}");
        var graph = new Selection(null, null, null).Resolve(PackageStore.Load(tree.Root));
        var started = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource>(
            new[] { "b", "y" }.Select(n => KeyValuePair.Create(n, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))));
        var packed = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var results = await new Scheduler(new SchedulerOptions(4, ContinueOnFailure: true), new Events()).RunAsync(graph, async (key, turn, ct) =>
        {
            if (!await turn.RequiresBuilt) return new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero);
            switch (key.Name)
            {
                case "a" or "x":
                    turn.ResultReady();
                    // Its dependant runs before this one is done.
                    await started[key.Name == "a" ? "b" : "y"].Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                    if (key.Name == "x") throw new BuildError("x could not be packed");
                    break;
                default:
                    started[key.Name].SetResult();
                    packed[key.Name] = await turn.RequiresPacked;
                    if (!packed[key.Name]) return new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero);
                    break;
            }
            return new PackageResult(key, null, PackageStatus.Built, TimeSpan.Zero);
        }, CancellationToken.None);
        var byName = results.ToDictionary(r => r.Key.Name);
        byName["a"].Status.ShouldBe(PackageStatus.Built);
        byName["b"].Status.ShouldBe(PackageStatus.Built);
        packed["b"].ShouldBeTrue();
        byName["x"].Status.ShouldBe(PackageStatus.Failed);
        packed["y"].ShouldBeFalse();
        byName["y"].Status.ShouldBe(PackageStatus.Skipped);
        byName["y"].Reason.ShouldBe("requires x, which failed");
    }

    [Fact]
    public async Task A_package_in_the_cache_is_up_to_date_when_a_require_failed_or_the_run_stopped_and_its_dependants_are_still_skipped()
    {
        // a fails; b (in the cache) requires it; c requires b and is not cached; s waits for a slot that the stop takes
        // away; z0..z3, in the cache, require s and never got under way before the stop.
        var tree = new TempTree().Package("a").Package("b", "{\"requires\": [\"a\"]}").Package("c", "{\"requires\": [\"b\"]}").Package("s");
        for (var i = 0; i < 4; i++) tree.Package($"z{i}", "{\"requires\": [\"s\"]}");
        using var _ = tree;
        var graph = new Selection(null, null, null).Resolve(PackageStore.Load(tree.Root));
        string[] cached = ["b", "z0", "z1", "z2", "z3"];
        var work = AFailsWhileWaiting("s");
        var results = await new Scheduler(new SchedulerOptions(1), new Events()).RunAsync(graph, async (key, turn, ct) =>
        {
            // As the package builder does: a cached package is up to date whatever its requires did.
            if (!cached.Contains(key.Name)) return await work(key, turn, ct);
            await turn.RequiresBuilt;
            return new PackageResult(key, null, PackageStatus.Cached, TimeSpan.Zero);
        }, CancellationToken.None);
        var byName = results.ToDictionary(r => r.Key.Name);
        var all = string.Join("; ", results.Select(r => $"{r.Key.Name} {r.Status} {r.Reason}"));
        byName["a"].Status.ShouldBe(PackageStatus.Failed);
        byName["b"].Status.ShouldBe(PackageStatus.Cached, all);
        // c needs a too (every require is activated): skipped, naming a.
        byName["c"].Status.ShouldBe(PackageStatus.Skipped, all);
        byName["c"].Reason.ShouldBe("requires a, which failed");
        byName["s"].Status.ShouldBe(PackageStatus.NotRun, all);
        for (var i = 0; i < 4; i++) byName[$"z{i}"].Status.ShouldBe(PackageStatus.Cached, all);
    }
}
