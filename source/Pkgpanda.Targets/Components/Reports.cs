using Pkgpanda.Core;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Repositories;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;
using Spectre.Console;

namespace Pkgpanda.Targets.Components;

/// <summary>How results are shown: plain aligned columns, so they read well in a terminal and in CI logs.</summary>
internal static class Reports
{
    public static void BuildOrder(PackageGraph graph)
    {
        AnsiConsole.WriteLine($"Build order ({graph.Order.Count} packages):");
        var width = graph.Order.Select(k => Show(k).Length).DefaultIfEmpty(8).Max() + 2;
        var i = 0;
        foreach (var key in graph.Order)
        {
            var requires = graph.RequiresOf(key);
            AnsiConsole.WriteLine($"  {++i,3}. {Show(key).PadRight(width)}{(requires.Count == 0 ? "" : "<- " + string.Join(", ", requires.Select(Show)))}");
        }
    }

    public static void Ids(PackageGraph graph, IdResult ids, PackageCache cache, string? planJson)
    {
        string IdText(PackageKey k) => ids.Plans.TryGetValue(k, out var p) ? p.Id.ToString() : "-";
        var nameWidth = graph.Order.Select(k => k.Name.Length).DefaultIfEmpty(8).Max() + 2;
        var variantWidth = graph.Order.Select(k => Variant.Display(k.Variant).Length).DefaultIfEmpty(9).Max() + 2;
        var idWidth = graph.Order.Select(k => IdText(k).Length).DefaultIfEmpty(10).Max() + 2;
        AnsiConsole.WriteLine($"{"PACKAGE".PadRight(nameWidth)}{"VARIANT".PadRight(variantWidth)}{"ID".PadRight(idWidth)}CACHED");
        foreach (var key in graph.Order)
        {
            var cached = ids.Plans.TryGetValue(key, out var plan) ? cache.Contains(plan.Id) ? "yes" : "no" : "-";
            AnsiConsole.WriteLine($"{key.Name.PadRight(nameWidth)}{Variant.Display(key.Variant).PadRight(variantWidth)}{IdText(key).PadRight(idWidth)}{cached}");
        }
        var cachedCount = ids.Plans.Values.Count(p => cache.Contains(p.Id));
        AnsiConsole.WriteLine($"{graph.Order.Count} packages: {cachedCount} cached, {ids.Plans.Count - cachedCount} to build" +
                              (ids.Unresolved.Count > 0 ? $", {ids.Unresolved.Count} without an id" : "") + ".");
        if (planJson is not null)
        {
            AtomicFile.WriteAllText(planJson, PlanJson.Render(graph, ids, cache.Contains));
            AnsiConsole.WriteLine($"Plan written to {planJson}");
        }
        if (ids.Unresolved.Count == 0) return;
        // Every id that could be computed is shown above; the others are named with their cause, once per cause.
        var causes = ids.Unresolved.Where(u => u.Value.Cause is null).ToList();
        var blocked = ids.Unresolved.Count - causes.Count;
        throw new BuildError($"{ids.Unresolved.Count} of {graph.Order.Count} package ids cannot be computed:\n" +
                             string.Join("\n", causes.Select(c => $"{c.Key}: {c.Value.Reason}")) +
                             (blocked > 0 ? $"\n{blocked} more require one of these: {string.Join(", ", ids.Unresolved.Where(u => u.Value.Cause is not null).Select(u => u.Key))}." : ""));
    }

    public static void Fetched(FetchSummary summary)
    {
        foreach (var s in summary.Sources)
            AnsiConsole.WriteLine($"  {s.Source,-40} {(s.Failed ? "FAILED: " + s.Error : s.Outcome?.ToString().ToLowerInvariant())}");
        AnsiConsole.WriteLine($"Sources: {summary.Sources.Count} ({string.Join(", ", Enum.GetValues<FetchOutcome>().Select(o => $"{summary.Count(o)} {o.ToString().ToLowerInvariant()}"))}, {summary.Sources.Count(x => x.Failed)} failed)");
        if (summary.Failed) throw summary.ToError();
    }

    public static void Built(BuildSummary summary)
    {
        AnsiConsole.WriteLine();
        var width = Math.Max("PACKAGE".Length, summary.Results.Select(r => r.Key.ToString().Length).DefaultIfEmpty(0).Max()) + 2;
        AnsiConsole.WriteLine($"{"PACKAGE".PadRight(width)}{"STATUS",-12}{"DURATION",10}  DETAIL");
        foreach (var r in summary.Results)
        {
            var detail = r.Status is PackageStatus.Failed or PackageStatus.Skipped or PackageStatus.NotRun ? FirstLine(r.Reason) : r.Id?.ToString();
            AnsiConsole.WriteLine($"{r.Key.ToString().PadRight(width)}{r.Status,-12}{r.Duration.TotalSeconds,9:0.0}s  {detail}");
        }
        AnsiConsole.WriteLine($"Total: {summary.Results.Count} packages: {summary.Count(PackageStatus.Built)} built, {summary.Count(PackageStatus.Cached)} up to date, " +
                              $"{summary.Count(PackageStatus.Downloaded)} downloaded, {summary.Count(PackageStatus.Failed)} failed, " +
                              $"{summary.Count(PackageStatus.Skipped) + summary.Count(PackageStatus.NotRun)} not built");
        summary.ThrowIfFailed();
    }

    public static void Packed(IReadOnlyList<BootstrapResult> results)
    {
        foreach (var r in results)
            AnsiConsole.WriteLine($"Tree {Variant.Display(r.TreeVariant)}: bootstrap {r.BootstrapId} ({r.Packages.Count} packages, {(r.Created ? "created" : "up to date")}) {r.Tarball}");
    }

    public static void Published(PublishResult result)
    {
        foreach (var path in result.Uploaded) AnsiConsole.WriteLine($"  uploaded  {path}");
        foreach (var path in result.Pointers) AnsiConsole.WriteLine($"  pointer   {path}");
        AnsiConsole.WriteLine($"Published: {result.Uploaded.Count} uploaded ({result.UploadedBytes / 1024} KiB), {result.Skipped.Count} already there, {result.Pointers.Count} pointers.");
    }

    static string? FirstLine(string? text) => text?.Split('\n')[0];

    static string Show(PackageKey k) => k.Variant is null ? k.Name : $"{k.Name} ({k.Variant})";
}
