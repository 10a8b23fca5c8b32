using System.Diagnostics;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;

namespace Pkgpanda.Core.Building;

/// <summary>How a run goes on after a failure and how much runs at once.</summary>
public sealed record SchedulerOptions(int Parallel, bool ContinueOnFailure = false);

/// <summary>
/// Runs the package graph: each package runs as soon as all of its requires are done, with at most
/// <see cref="SchedulerOptions.Parallel"/> steps running at once. One memoised task per package. A package's work starts
/// early, once each of its requires has started (so it can fetch and prepare while they build), with at most twice
/// Parallel packages under way; it takes a run slot (<see cref="PackageTurn.RunSlotAsync"/>) only for its step. A
/// package counts as built for its dependants from its <see cref="PackageTurn.ResultReady"/> on (its tarball then
/// packed beside their starts), and as done only once it is; a dependant of one that failed after that is skipped.
/// By default the first failure stops new work (running packages finish); with ContinueOnFailure everything not
/// depending on a failure goes on.
/// </summary>
internal sealed class Scheduler(SchedulerOptions options, IProgress<BuildEvent> events)
{
    /// <summary>The simple shape: the work runs once its requires are done, holding a run slot throughout.</summary>
    public Task<IReadOnlyList<PackageResult>> RunAsync(PackageGraph graph,
        Func<PackageKey, CancellationToken, Task<PackageResult>> work, CancellationToken cancellationToken) =>
        RunAsync(graph, async (key, turn, ct) =>
        {
            if (!await turn.RequiresBuilt.ConfigureAwait(false)) return new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero);
            // Held until the scheduler has the result, as a failure must stop new work before its slot frees.
            turn.ReleaseWhenReported(await turn.RunSlotAsync(ct).ConfigureAwait(false));
            return await work(key, ct).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<IReadOnlyList<PackageResult>> RunAsync(PackageGraph graph,
        Func<PackageKey, PackageTurn, CancellationToken, Task<PackageResult>> work, CancellationToken cancellationToken)
    {
        var parallel = Math.Max(1, options.Parallel);
        var slots = new RunSlots(parallel);
        using var underWay = new SemaphoreSlim(2 * parallel);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Dictionary<PackageKey, Task<PackageResult>>();
        var started = new Dictionary<PackageKey, TaskCompletionSource>();
        var ready = new Dictionary<PackageKey, TaskCompletionSource>();
        // The failed package behind each skip, so a skip names the failure, not the skip in between.
        var rootFailure = new System.Collections.Concurrent.ConcurrentDictionary<PackageKey, PackageKey>();
        // Up to date, with a failure among its requires.
        var belowFailure = new System.Collections.Concurrent.ConcurrentDictionary<PackageKey, bool>();

        Task<PackageResult> Node(PackageKey key)
        {
            if (tasks.TryGetValue(key, out var existing)) return existing;
            var requires = graph.RequiresOf(key).ToList();
            var done = requires.Select(Node).ToList();
            var begun = requires.Select(r => started[r].Task).ToList();
            var resultsReady = requires.Select(r => ready[r].Task).ToList();
            started[key] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ready[key] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return tasks[key] = RunNodeAsync(key, done, begun, resultsReady, started[key], ready[key]);
        }

        async Task<PackageResult> RunNodeAsync(PackageKey key, List<Task<PackageResult>> requires, List<Task> requiresStarted, List<Task> requiresReady,
            TaskCompletionSource begun, TaskCompletionSource resultReady)
        {
            var holds = false;
            Task<PackageResult>? working = null;
            var packed = Task.WhenAll(requires).ContinueWith(t => t.Result.All(r => r.Status is PackageStatus.Built or PackageStatus.Cached or PackageStatus.Downloaded),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var turn = new PackageTurn(slots, stop.Token, resultReady, packed);
            try
            {
                // Early, but not too early: once every require is under way (or done), and within the bound.
                await Task.WhenAll(requiresStarted).ConfigureAwait(false);
                try
                {
                    await underWay.WaitAsync(stop.Token).ConfigureAwait(false);
                    holds = true;
                    working = Task.Run(() => work(key, turn, cancellationToken), CancellationToken.None);
                }
                catch (OperationCanceledException) { }
                begun.TrySetResult();

                // Each require done, or its result ready while its tarball is packed.
                await Task.WhenAll(requires.Select((r, i) => Task.WhenAny(r, requiresReady[i]))).ConfigureAwait(false);
                var notRun = Broken(key, requires.Where(r => r.IsCompleted).Select(r => r.Result));
                if (notRun is not null || working is null)
                {
                    turn.Decide(false);
                    // It does not run, but it may be up to date all the same: its work, told so, only looks in the cache.
                    if (working is null && !cancellationToken.IsCancellationRequested)
                        working = Task.Run(() => work(key, turn, cancellationToken), CancellationToken.None);
                    if (await UpToDateAsync(working).ConfigureAwait(false) is not { } upToDate) return Finish(notRun ?? NotRun(key, TimeSpan.Zero));
                    // Its dependants still need what failed below it (every require is activated for a build).
                    if (notRun?.Status == PackageStatus.Skipped) belowFailure[key] = true;
                    return Finish(upToDate);
                }
                turn.Decide(true);
                var result = await OutcomeAsync(key, working).ConfigureAwait(false);
                // A require whose packing failed after its result was ready: what was built on it is not this package.
                var late = Broken(key, await Task.WhenAll(requires).ConfigureAwait(false));
                if (result.Status is not (PackageStatus.Cached or PackageStatus.Downloaded)) return Finish(late ?? result);
                if (late?.Status == PackageStatus.Skipped) belowFailure[key] = true;
                return Finish(result);
            }
            finally
            {
                // A failed step's slot is freed only now, after the stop above: nothing new starts in it meanwhile.
                turn.Reported();
                turn.Decide(false);
                begun.TrySetResult();
                resultReady.TrySetResult();
                if (holds) underWay.Release();
            }
        }

        // The package's own outcome; a failure stops new work unless the run goes on after failures.
        async Task<PackageResult> OutcomeAsync(PackageKey key, Task<PackageResult> working)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                // A stop after a failure lets running work finish; only the user's cancellation interrupts it.
                var result = await working.ConfigureAwait(false);
                if (result.Status == PackageStatus.Failed && !options.ContinueOnFailure) stop.Cancel();
                return result;
            }
            // The user's token first: its callbacks (an engine call's, then stop's own) run one after another, so a
            // cancelled call may get here before stop hears of it.
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || stop.IsCancellationRequested)
            {
                // Cancelled by the user, or stopped (after a failure) before the package had a slot to run in.
                return NotRun(key, watch.Elapsed);
            }
            catch (Exception ex)
            {
                if (!options.ContinueOnFailure) stop.Cancel();
                // A user's mistake reads best as its message; anything else is our bug and needs its stack trace.
                return new PackageResult(key, null, PackageStatus.Failed, watch.Elapsed, BuildError.IsExpected(ex) ? ex.Message : $"This is a bug in pkgpanda.NET, please report it with the trace below: {ex}");
            }
        }

        // Not run, or skipped, when a require failed, was skipped or did not run; null when each one that is done succeeded.
        PackageResult? Broken(PackageKey key, IEnumerable<PackageResult> done)
        {
            // A failure behind a require names the package better than a require that was merely not run.
            var list = done.ToList();
            var broken = list.FirstOrDefault(r => r.Status is PackageStatus.Failed or PackageStatus.Skipped || belowFailure.ContainsKey(r.Key))
                         ?? list.FirstOrDefault(r => r.Status == PackageStatus.NotRun);
            if (broken is null) return null;
            if (broken.Status == PackageStatus.NotRun) return new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero, broken.Reason);
            var cause = rootFailure.GetValueOrDefault(broken.Key, broken.Key);
            rootFailure[key] = cause;
            return new PackageResult(key, null, PackageStatus.Skipped, TimeSpan.Zero, $"requires {cause}, which failed");
        }

        PackageResult NotRun(PackageKey key, TimeSpan elapsed) =>
            new(key, null, PackageStatus.NotRun, elapsed, cancellationToken.IsCancellationRequested ? "cancelled" : "stopped after a failure");

        PackageResult Finish(PackageResult result)
        {
            events.Report(new PackageFinished(result));
            return result;
        }

        // Node memoises: each package's task is created once, after the tasks of its requires.
        var results = await Task.WhenAll(graph.Order.Select(Node).ToList()).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// The result of work told its package does not run, when it found the package up to date (in the cache, or
    /// downloaded); else null. What it throws is not news.
    /// </summary>
    private static async Task<PackageResult?> UpToDateAsync(Task<PackageResult>? work)
    {
        if (work is null) return null;
        try
        {
            var result = await work.ConfigureAwait(false);
            return result.Status is PackageStatus.Cached or PackageStatus.Downloaded ? result : null;
        }
        catch (Exception) { return null; }
    }
}
