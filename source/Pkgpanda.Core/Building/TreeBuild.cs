using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;

namespace Pkgpanda.Core.Building;

/// <summary>Builds a whole selection: the scheduler drives one <see cref="PackageBuilder"/> per package.</summary>
public static class TreeBuild
{
    public static async Task<BuildSummary> RunAsync(PackageGraph graph, IReadOnlyDictionary<PackageKey, PackagePlan> plans,
        BuildContext context, SchedulerOptions options, CancellationToken cancellationToken)
    {
        // A run killed earlier may have left containers writing into its scratch folders; stop them first.
        await context.Runner.RemoveAbandonedAsync(cancellationToken).ConfigureAwait(false);
        // ... and their scratch folders and temporaries (tarballs, logs, latest, downloads).
        context.Cache.RemoveAbandoned();
        var builder = new PackageBuilder(context);
        var results = await new Scheduler(options, context.Events)
            .RunAsync(graph, (key, ct) => builder.BuildAsync(plans[key], plans, ct), cancellationToken)
            .ConfigureAwait(false);
        return new BuildSummary(results);
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
