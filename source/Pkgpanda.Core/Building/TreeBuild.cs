using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.Core.Building;

/// <summary>
/// Builds a whole selection: the scheduler drives one <see cref="PackageBuilder"/> per package over the engine pool.
/// A package whose engine stopped answering is built again, from scratch, on the engines left.
/// </summary>
public static class TreeBuild
{
    public static async Task<BuildSummary> RunAsync(PackageGraph graph, IReadOnlyDictionary<PackageKey, PackagePlan> plans,
        BuildContext context, SchedulerOptions options, CancellationToken cancellationToken)
    {
        // A run killed earlier may have left containers writing into its scratch folders; they are stopped before those
        // folders go. Both sweeps touch only what dead runs left (their own labels, pids and names), so they run beside
        // this run's first builds rather than before them, and end before the run does. A run with nothing to build
        // starts no container and asks no engine anything, so it leaves that to the next build.
        var firstToBuild = graph.Order.Select(k => plans[k]).FirstOrDefault(p => !context.Cache.Contains(p.Id));
        if (firstToBuild is null)
        {
            context.Cache.RemoveAbandoned();
            var upToDate = UpToDate(graph, plans, context, cancellationToken);
            // What opening the pool queued (its file-sharing probe's container) is removed before the run ends.
            await context.Engines.FlushAsync().ConfigureAwait(false);
            return upToDate;
        }
        var sweep = Task.Run(async () =>
        {
            await context.Engines.RemoveAbandonedAsync(cancellationToken).ConfigureAwait(false);
            // ... and their scratch folders and temporaries (tarballs, logs, latest, downloads).
            context.Cache.RemoveAbandoned();
        }, CancellationToken.None);
        // The engines' file-sharing probes run while the scheduler starts and the first packages check out their sources
        // (each step's prepare waited for it: ~120 ms of every build's critical path).
        var warm = WarmAsync(context, firstToBuild.ImageId, cancellationToken);
        var builder = new PackageBuilder(context);
        try
        {
            await context.Engines.CheckImagesAsync(plans.Values.Select(p => (p.ImageName, p.ImageId)), cancellationToken).ConfigureAwait(false);
            var results = await new Scheduler(options, context.Events)
                .RunAsync(graph, (key, turn, ct) => BuildOnPoolAsync(builder, context, plans[key], plans, turn, ct), cancellationToken)
                .ConfigureAwait(false);
            await sweep.ConfigureAwait(false);
            return new BuildSummary(results);
        }
        finally
        {
            // The sweep's own fault was told above when the run got that far; else the run's own fault is the news.
            try { await sweep.ConfigureAwait(false); }
            catch (Exception) when (!sweep.IsCompletedSuccessfully) { }
            await warm.ConfigureAwait(false);
            await builder.DrainAsync().ConfigureAwait(false);
            await context.Engines.FlushAsync().ConfigureAwait(false);
            // A run killed just before this one started may still have had creates under way in an engine when the
            // sweep above listed its containers: one more look as the run ends removes those (the following build did).
            if (!cancellationToken.IsCancellationRequested)
                try { await context.Engines.RemoveAbandonedAsync(cancellationToken).ConfigureAwait(false); }
                catch (Exception ex) when (ex is EnvironmentFault or EngineLost or OperationCanceledException) { } // best effort: the next build sweeps again
            // So are the scratch folders and temporaries of a run that died while this one ran (one whose packages this
            // run waited for, then built itself): they are not left for the next build.
            try { context.Cache.RemoveAbandoned(); }
            catch (Exception ex) when (ex is EnvironmentFault or IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary><see cref="EnginePool.WarmAsync"/> in a scratch folder of its own, deleted after it.</summary>
    private static async Task WarmAsync(BuildContext context, string image, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Scratch? scratch = null;
        try
        {
            scratch = Scratch.Create(context.Cache.ScratchFolder, "probe");
            await context.Engines.WarmAsync(scratch.Root, image, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EnvironmentFault or IOException or UnauthorizedAccessException) { } // the first step's prepare probes, and tells
        finally { scratch?.Delete(); }
    }

    /// <summary>
    /// Every package is cached (its tarball just checked against its record): each is up to date, in build order, with
    /// the events and results the scheduler would give, and its latest pointer in place. No scheduler, no thread, no
    /// engine: a no-op run is mostly start-up, and this keeps it short.
    /// </summary>
    private static BuildSummary UpToDate(PackageGraph graph, IReadOnlyDictionary<PackageKey, PackagePlan> plans, BuildContext context,
        CancellationToken cancellationToken)
    {
        var results = new List<PackageResult>(graph.Order.Count);
        foreach (var key in graph.Order)
        {
            var plan = plans[key];
            var watch = System.Diagnostics.Stopwatch.StartNew();
            PackageResult result;
            if (cancellationToken.IsCancellationRequested) result = new PackageResult(key, null, PackageStatus.NotRun, TimeSpan.Zero, "cancelled");
            else
            {
                context.Cache.WriteLatest(key, plan.Id);
                context.Events.Report(new PhaseChanged(key, BuildPhase.Done));
                result = new PackageResult(key, plan.Id, PackageStatus.Cached, watch.Elapsed);
            }
            context.Events.Report(new PackageFinished(result));
            results.Add(result);
        }
        return new BuildSummary(results);
    }

    private static async Task<PackageResult> BuildOnPoolAsync(PackageBuilder builder, BuildContext context, PackagePlan plan,
        IReadOnlyDictionary<PackageKey, PackagePlan> plans, PackageTurn turn, CancellationToken cancellationToken)
    {
        var lost = new List<string>();
        while (true)
        {
            try
            {
                var result = await builder.BuildAsync(plan, plans, turn, cancellationToken).ConfigureAwait(false);
                return lost.Count == 0 ? result : result with { Note = $"built again after {string.Join(", ", lost)} stopped answering" };
            }
            catch (EngineLost engineLost) when (!cancellationToken.IsCancellationRequested)
            {
                // The pool throws an EnvironmentFault naming every engine once none is left.
                context.Engines.MarkLost(engineLost.Address, engineLost.Message);
                lost.Add(engineLost.Address);
                context.Events.Report(new Message(plan.Key, $"{engineLost.Message}; building {plan.Id} again on the engines left", Warning: true));
            }
        }
    }
}

/// <summary>The results of a run, in build order, with the counts a summary shows.</summary>
public sealed record BuildSummary(IReadOnlyList<PackageResult> Results)
{
    public int Count(PackageStatus status) => Results.Count(r => r.Status == status);

    public bool Succeeded => Results.All(r => r.Status is PackageStatus.Built or PackageStatus.Cached or PackageStatus.Downloaded);

    /// <summary>
    /// Throws one error naming every failure, so the Build target fails with a readable message. The packages not
    /// built because of a failure (or a cancellation) are not errors of their own; the front end mentions them.
    /// </summary>
    public void ThrowIfFailed()
    {
        if (Succeeded) return;
        var failed = Results.Where(r => r.Status == PackageStatus.Failed).ToList();
        if (failed.Count == 0)
            throw new BuildError($"The build stopped before {Count(PackageStatus.Skipped) + Count(PackageStatus.NotRun)} of {Results.Count} packages were built.");
        throw new BuildError($"{failed.Count} {(failed.Count == 1 ? "package" : "packages")} failed to build:\n{string.Join("\n", failed.Select(r => $"{r.Key}: {r.Reason}"))}");
    }
}
