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

    /// <summary>Throws one error naming every failure, so the Build target fails with a readable message.</summary>
    public void ThrowIfFailed()
    {
        if (Succeeded) return;
        var failed = Results.Where(r => r.Status == PackageStatus.Failed).ToList();
        var lines = failed.Select(r => $"{r.Key}: {r.Reason}")
            .Concat(Results.Where(r => r.Status == PackageStatus.Skipped).Select(r => $"{r.Key}: skipped, {r.Reason}"))
            .Concat(Results.Where(r => r.Status == PackageStatus.NotRun).Select(r => $"{r.Key}: not built ({r.Reason})"));
        throw new BuildError($"{failed.Count} package(s) failed to build:\n{string.Join("\n", lines)}");
    }
}
