namespace Pkgpanda.Targets;

/// <summary>NUKE's <c>--skip</c>: the named targets, or with no names every target that was not invoked.</summary>
internal static class SkipHandler
{
    public static Func<ExecutableTarget, string?> Rule(IReadOnlyList<string>? names, TargetGraph graph)
    {
        if (names is null) return _ => null;
        if (names.Count == 0) return t => t.Invoked ? null : "skipped by --skip";
        var skipped = TargetSelection.Split(names).Select(n => TargetSelection.Find(graph, n, "--skip")).ToHashSet();
        return t => skipped.Contains(t) ? "skipped by --skip" : null;
    }
}
