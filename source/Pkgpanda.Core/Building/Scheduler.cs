using System.Diagnostics;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;

namespace Pkgpanda.Core.Building;

/// <summary>How a run goes on after a failure and how much runs at once.</summary>
public sealed record SchedulerOptions(int Parallel, bool ContinueOnFailure = false);

/// <summary>
/// Runs the package graph: each package starts as soon as all of its requires are done, with at most
/// <see cref="SchedulerOptions.Parallel"/> running at once. One memoised task per package; the semaphore
/// guards only the work, so waiting on requires holds no slot. By default the first failure stops new
/// work (running packages finish); with ContinueOnFailure everything not depending on a failure goes on.
/// </summary>
internal sealed class Scheduler(SchedulerOptions options, IProgress<BuildEvent> events)
{
    public async Task<IReadOnlyList<PackageResult>> RunAsync(PackageGraph graph,
        Func<PackageKey, CancellationToken, Task<PackageResult>> work, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, options.Parallel));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Dictionary<PackageKey, Task<PackageResult>>();
        // The failed package behind each skip, so a skip names the failure, not the skip in between.
        var rootFailure = new System.Collections.Concurrent.ConcurrentDictionary<PackageKey, PackageKey>();

        Task<PackageResult> Node(PackageKey key)
        {
            if (tasks.TryGetValue(key, out var existing)) return existing;
            var requires = graph.RequiresOf(key).Select(Node).ToList();
            return tasks[key] = RunNodeAsync(key, requires);
        }

        async Task<PackageResult> RunNodeAsync(PackageKey key, List<Task<PackageResult>> requires)
        {
            var done = await Task.WhenAll(requires).ConfigureAwait(false);
            var broken = done.FirstOrDefault(r => r.Status is PackageStatus.Failed or PackageStatus.Skipped or PackageStatus.NotRun);
            if (broken is not null)
            {
                if (broken.Status == PackageStatus.NotRun)
                    return Finish(new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero, broken.Reason));
                var cause = rootFailure.GetValueOrDefault(broken.Key, broken.Key);
                rootFailure[key] = cause;
                return Finish(new PackageResult(key, null, PackageStatus.Skipped, TimeSpan.Zero, $"requires {cause}, which failed"));
            }
            try
            {
                await slots.WaitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Finish(new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero,
                    cancellationToken.IsCancellationRequested ? "cancelled" : "stopped after a failure"));
            }
            var watch = Stopwatch.StartNew();
            try
            {
                // A stop after a failure lets running work finish; only the user's cancellation interrupts it.
                var result = await work(key, cancellationToken).ConfigureAwait(false);
                if (result.Status == PackageStatus.Failed && !options.ContinueOnFailure) stop.Cancel();
                return Finish(result);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Finish(new PackageResult(key, null, PackageStatus.NotRun, watch.Elapsed, "cancelled"));
            }
            catch (Exception ex)
            {
                if (!options.ContinueOnFailure) stop.Cancel();
                // A user's mistake reads best as its message; anything else is our bug and needs its stack trace.
                return Finish(new PackageResult(key, null, PackageStatus.Failed, watch.Elapsed, BuildError.IsExpected(ex) ? ex.Message : $"This is a bug in pkgpanda.NET, please report it with the trace below: {ex}"));
            }
            finally
            {
                slots.Release();
            }
        }

        PackageResult Finish(PackageResult result)
        {
            events.Report(new PackageFinished(result));
            return result;
        }

        // Node memoises: each package's task is created once, after the tasks of its requires.
        var results = await Task.WhenAll(graph.Order.Select(Node).ToList()).ConfigureAwait(false);
        return results;
    }
}
