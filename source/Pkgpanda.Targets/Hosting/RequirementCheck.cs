namespace Pkgpanda.Targets;

/// <summary>NUKE's <c>.Requires(() => Parameter)</c>, checked before anything runs so a missing value does not fail a build half-way.</summary>
internal static class RequirementCheck
{
    public static void Check(IReadOnlyList<ExecutableTarget> plan, Func<ExecutableTarget, string?> skipReason, IReadOnlyList<ParameterInfo> parameters)
    {
        var missing = new List<string>();
        foreach (var t in plan.Where(t => skipReason(t) is null && t.Definition.StaticConditions.All(c => c.Condition())))
            foreach (var (member, value) in t.Definition.RequiredParameters)
                if (value() is null or "" || value() is Array { Length: 0 })
                {
                    var p = parameters.FirstOrDefault(p => p.Member.Name == member);
                    var name = ParameterInfo.KebabCase(p?.Name ?? member);
                    missing.Add($"Target {t.Name} requires the parameter --{name} " +
                                $"(command line, environment variable {name.Replace('-', '_').ToUpperInvariant()}, or .nuke/parameters.json).");
                }
        if (missing.Count > 0) throw new TargetsException(string.Join("\n", missing));
    }
}
