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

namespace Pkgpanda.Targets.Components;

/// <summary>
/// How results are shown: plain aligned columns, so they read well in a terminal and in CI logs. They are a target's
/// result, shown from --verbosity minimal up; quiet leaves only warnings, errors (thrown) and the host's summary.
/// </summary>
internal sealed class Reports(Log log)
{
    void Line(string text = "")
    {
        if (log.Verbosity >= Verbosity.Minimal) log.Line(text);
    }

    public void BuildOrder(PackageGraph graph)
    {
        Line($"Build order ({Plural(graph.Order.Count, "package")}):");
        var width = graph.Order.Count == 0 ? 8 : 0;
        foreach (var key in graph.Order) width = Math.Max(width, Show(key).Length);
        width += 2;
        var i = 0;
        foreach (var key in graph.Order)
        {
            var requires = graph.RequiresOf(key);
            Line($"  {++i,3}. {Show(key).PadRight(width)}{(requires.Count == 0 ? "" : "<- " + string.Join(", ", requires.Select(Show)))}".TrimEnd());
        }
    }

    public void Ids(PackageGraph graph, IdResult ids, PackageCache cache, string? planJson)
    {
        // Checked once per package (a stat and a compare against the tarball's record), then reused below.
        var cached = ids.Plans.Values.Select(p => p.Id).Where(cache.Contains).ToHashSet();
        var table = new TextTable("PACKAGE", "VARIANT", "ID", "CACHED");
        foreach (var key in graph.Order)
        {
            var known = ids.Plans.TryGetValue(key, out var plan);
            table.Add(key.Name, Variant.Display(key.Variant), known ? plan!.Id.ToString() : "-", known ? cached.Contains(plan!.Id) ? "yes" : "no" : "-");
        }
        foreach (var line in table.Lines()) Line(line);
        var cachedCount = ids.Plans.Values.Count(p => cached.Contains(p.Id));
        Line($"{Plural(graph.Order.Count, "package")}: {cachedCount} cached, {ids.Plans.Count - cachedCount} to build" +
                              (ids.Unresolved.Count > 0 ? $", {ids.Unresolved.Count} without an id" : "") + ".");
        if (planJson is not null)
        {
            AtomicFile.WriteAllText(planJson, PlanJson.Render(graph, ids, cached.Contains));
            Line($"Plan written to {planJson}");
        }
        if (ids.Unresolved.Count == 0) return;
        // Every id that could be computed is shown above; the others are named with their cause, once per cause.
        var causes = ids.Unresolved.Where(u => u.Value.Cause is null).ToList();
        var blocked = ids.Unresolved.Count - causes.Count;
        throw new BuildError($"{ids.Unresolved.Count} of {Plural(graph.Order.Count, "package id")} cannot be computed:\n" +
                             string.Join("\n", causes.Select(c => $"{c.Key}: {c.Value.Reason}")) +
                             (blocked > 0 ? $"\n{blocked} more require one of these: {string.Join(", ", ids.Unresolved.Where(u => u.Value.Cause is not null).Select(u => u.Key))}." : ""));
    }

    public void Fetched(FetchSummary summary)
    {
        var table = new TextTable("SOURCE", "RESULT");
        foreach (var s in summary.Sources)
            table.Add(s.Source, s.Failed ? "FAILED: " + FirstLine(s.Error) : s.Outcome?.ToString().ToLowerInvariant());
        foreach (var line in table.Lines()) Line("  " + line);
        Line($"Sources: {summary.Sources.Count} ({string.Join(", ", Enum.GetValues<FetchOutcome>().Select(o => $"{summary.Count(o)} {o.ToString().ToLowerInvariant()}"))}, {summary.Sources.Count(x => x.Failed)} failed)");
        if (summary.Failed) throw summary.ToError();
    }

    /// <summary>
    /// The per-package table and totals. A cancelled run says so once (not one error per package it did not build) and
    /// ends the target as cancelled; packages skipped because a require failed are one warning, the failures the error.
    /// </summary>
    public void Built(BuildSummary summary, Log log, CancellationToken cancellationToken)
    {
        var cancelled = cancellationToken.IsCancellationRequested;
        var notBuilt = summary.Count(PackageStatus.Skipped) + summary.Count(PackageStatus.NotRun);
        Line();
        var table = new TextTable("PACKAGE", "STATUS", "DURATION", "DETAIL") { RightAligned = new HashSet<int> { 2 } };
        // After Ctrl-C the packages that never started are counted, not listed.
        foreach (var r in summary.Results.Where(r => !cancelled || r.Status != PackageStatus.NotRun))
        {
            // A failure's whole message follows in the error below the table: a long one is cut here, so that a run with
            // many failures keeps a table one can read.
            var detail = r.Status is PackageStatus.Failed ? Shortened(FirstLine(r.Reason))
                : r.Status is PackageStatus.Skipped or PackageStatus.NotRun ? FirstLine(r.Reason) : r.Id?.ToString();
            if (r.Engine is not null) detail += $" on {r.Engine}";
            if (r.Note is not null) detail += $" ({r.Note})";
            table.Add(r.Key.ToString(), r.Status.ToString(), $"{r.Duration.TotalSeconds:0.0}s", detail);
        }
        foreach (var line in table.Lines()) Line(line);
        Line($"Total: {Plural(summary.Results.Count, "package")}: {summary.Count(PackageStatus.Built)} built, {summary.Count(PackageStatus.Cached)} up to date, " +
                              $"{summary.Count(PackageStatus.Downloaded)} downloaded, {summary.Count(PackageStatus.Failed)} failed, {notBuilt} not built");
        if (cancelled)
        {
            log.Warning($"The build was cancelled: {Plural(notBuilt, "package")} not built.");
            throw new OperationCanceledException(cancellationToken);
        }
        var skipped = summary.Results.Where(r => r.Status is PackageStatus.Skipped or PackageStatus.NotRun).ToList();
        if (skipped.Count > 0)
            log.Warning($"Not built because of the failure ({Plural(skipped.Count, "package")}): {string.Join(", ", skipped.Select(r => r.Key))}" +
                        (summary.Count(PackageStatus.NotRun) > 0 ? "; --continue builds everything that does not require a failed package." : "."));
        summary.ThrowIfFailed();
    }

    public void Packed(IReadOnlyList<BootstrapResult> results)
    {
        foreach (var r in results)
            Line($"Tree {Variant.Display(r.TreeVariant)}: bootstrap {r.BootstrapId} ({Plural(r.Packages.Count, "package")}, {(r.Created ? "created" : "up to date")}) {r.Tarball}");
    }

    public void Published(PublishResult result)
    {
        foreach (var path in result.Uploaded) Line($"  uploaded  {path}");
        foreach (var path in result.Pointers) Line($"  pointer   {path}");
        Line($"Published: {result.Uploaded.Count} uploaded ({result.UploadedBytes / 1024} KiB), {result.Skipped.Count} already there, {result.Pointers.Count} pointers.");
    }

    /// <summary>"1 package", "2 packages".</summary>
    public static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    public void Cleaned(CleanResult result, bool all)
    {
        // At 600 packages the list runs to thousands of lines: the first few, the rest with --verbose.
        var shown = log.Verbose ? result.Removed.Count : Math.Min(result.Removed.Count, 20);
        foreach (var path in result.Removed.Take(shown)) Line($"  removed  {path}");
        if (shown < result.Removed.Count) Line($"  ... and {result.Removed.Count - shown} more (--verbose lists them)");
        foreach (var kept in result.Kept) log.Warning($"Kept {kept}");
        Line($"Clean: {result.Removed.Count} removed, {result.Temporaries} temporaries removed, {result.Kept.Count} kept ({(all ? "the whole cache" : "scratch, kept build folders and temporaries; --all also removes the built packages and source caches")}).");
    }

    static string? FirstLine(string? text) => SummaryLine.Of(text);

    private const int DetailWidth = 100;

    static string? Shortened(string? line)
    {
        if (line is not { Length: > DetailWidth }) return line;
        var cut = DetailWidth - 20;
        if (char.IsHighSurrogate(line[cut - 1])) cut--;
        return line[..cut].TrimEnd() + " ... (in full below)";
    }

    static string Show(PackageKey k) => k.Variant is null ? k.Name : $"{k.Name} ({k.Variant})";
}
