namespace Pkgpanda.Targets;

internal enum PlanEdgeKind { DependsOn, After, Triggers, Requires }

/// <summary>A target as the plan shows it.</summary>
internal sealed record PlanTarget(string Name, string? Description, bool IsDefault, bool Listed, bool Invoked, int? Step);

/// <summary>An edge drawn from what runs first to what runs after it.</summary>
internal sealed record PlanEdge(string From, string To, PlanEdgeKind Kind);

/// <summary>
/// What <c>--plan</c> shows, independent of the format: every target with its relations, the invoked plan in order,
/// and the package graph of the current selection (with ids and cache state when they could be computed).
/// </summary>
internal sealed record PlanGraph(
    IReadOnlyList<PlanTarget> Targets,
    IReadOnlyList<PlanEdge> TargetEdges,
    IReadOnlyList<PackageNode> Packages,
    string? PackagesNote)
{
    public IEnumerable<PlanEdge> PackageEdges =>
        Packages.SelectMany(p => p.Requires.Select(r => new PlanEdge(r, p.Key, PlanEdgeKind.Requires)));

    public static PlanGraph From(TargetGraph graph, IReadOnlyList<ExecutableTarget> plan, IReadOnlyList<PackageNode> packages, string? packagesNote)
    {
        var steps = plan.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i + 1);
        var targets = graph.Targets.Select(t => new PlanTarget(t.Name, t.Description, t.IsDefault, !t.Definition.IsUnlisted, t.Invoked,
            steps.TryGetValue(t, out var s) ? s : null)).ToList();
        var edges = new List<PlanEdge>();
        foreach (var t in graph.Targets)
        {
            edges.AddRange(t.ExecutionDependencies.Select(d => new PlanEdge(d.Name, t.Name, PlanEdgeKind.DependsOn)));
            edges.AddRange(t.OrderDependencies.Select(d => new PlanEdge(d.Name, t.Name, PlanEdgeKind.After)));
            edges.AddRange(t.Triggers.Select(d => new PlanEdge(t.Name, d.Name, PlanEdgeKind.Triggers)));
        }
        return new PlanGraph(targets, edges, packages, packagesNote);
    }
}
