namespace Pkgpanda.Targets;

/// <summary>
/// NUKE's <c>--plan</c>: writes the page (<see cref="PlanOutput"/>) or, with <c>--plan-format</c>, prints the plan
/// as text; runs nothing.
/// </summary>
internal static class PlanRequest
{
    public static bool IsRequested(Arguments arguments) => arguments.Has("plan") || arguments.Has("planformat");

    public static async Task<int> HandleAsync(Terminal console, IReadOnlyDictionary<string, string> environment, NukeBuild build,
        Arguments arguments, TargetGraph graph, IReadOnlyList<ExecutableTarget> invoked, PackageLoader packages)
    {
        var format = arguments.Values("planformat") is { Count: > 0 } f ? f[0].ToLowerInvariant() : "html";
        if (!TextPlan.Formats.Contains(format)) throw new TargetsException($"--plan-format {format}: use one of {string.Join(", ", TextPlan.Formats)}.");
        var (nodes, note) = await packages.LoadAsync(withIds: true, CancellationToken.None).ConfigureAwait(false);
        var plan = PlanGraph.From(graph, ExecutionPlanner.Plan(graph, invoked), nodes, note);
        if (format != "html")
        {
            console.Writer.Write(TextPlan.Render(plan, format));
            return ExitCode.Succeeded;
        }
        var path = PlanOutput.PagePath(build.RootDirectory);
        var title = $"Execution plan of {build.GetType().Name}: {string.Join(", ", invoked.Select(t => t.Name))}";
        GeneratedFile.WriteAtomically(path, HtmlPlan.Render(plan, title));
        console.WriteLine(path);
        if (note is not null) build.Log.Warning(note);
        if (PlanOutput.CanOpenBrowser(environment)) PlanOutput.Open(path);
        return ExitCode.Succeeded;
    }
}
