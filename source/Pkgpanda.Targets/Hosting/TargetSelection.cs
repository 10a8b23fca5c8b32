namespace Pkgpanda.Targets;

/// <summary>The invoked targets (<see cref="HostOptions.Targets"/>: names joined with '+' or not) and their lookup.</summary>
internal static class TargetSelection
{
    public static List<ExecutableTarget> Invoked(IReadOnlyList<string> names, TargetGraph graph)
    {
        if (names.Count == 0)
            return graph.Default is { } d ? [d] : throw new TargetsException($"No target given and no default target declared. {Available(graph)}");
        return names.Select(n => Find(graph, n, "target")).Distinct().ToList();
    }

    /// <summary>The target named <paramref name="name"/>, or a usage error saying where the name came from.</summary>
    public static ExecutableTarget Find(TargetGraph graph, string name, string where) =>
        graph.Find(name) ?? throw new TargetsException($"Unknown {(where == "target" ? "target" : $"target in {where}")} '{name}'. {Available(graph)}");

    public static IEnumerable<string> Split(IEnumerable<string> names) =>
        names.SelectMany(n => n.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Available(TargetGraph graph) =>
        $"Available targets: {string.Join(", ", graph.Targets.Where(t => t.Listed).Select(t => t.Name))}.";
}
