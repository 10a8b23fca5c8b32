namespace Pkgpanda.Targets;

/// <summary>NUKE's --help: targets with their direct dependencies and descriptions, then the parameters.</summary>
internal static class Help
{
    public static void Write(Terminal console, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters,
        IReadOnlyList<PackageNode> packages, string? packagesNote)
    {
        var w = console.Writer;
        w.WriteLine("Targets (with their direct dependencies):");
        w.WriteLine();
        var listed = graph.Targets.Where(t => t.Listed).ToList();
        // Plain loops and a class for the options: LINQ over tuples and ints is compiled at every start, and --help is
        // meant to be instant.
        var width = listed.Count == 0 ? 10 : 0;
        foreach (var t in listed) width = Math.Max(width, t.Name.Length + (t.IsDefault ? 10 : 0));
        width += 3;
        foreach (var t in listed)
        {
            var name = t.Name + (t.IsDefault ? " (default)" : "");
            var deps = t.ExecutionDependencies.Select(d => d.Name).ToList();
            var line = $"  {name.PadRight(width)}{t.Description}";
            if (deps.Count > 0) line += (t.Description is null ? "" : "  ") + "-> " + string.Join(", ", deps);
            w.WriteLine(line.TrimEnd());
        }
        w.WriteLine();
        w.WriteLine("Packages of the current selection (with their requires):");
        w.WriteLine();
        if (packagesNote is not null) w.WriteLine($"  ({packagesNote})");
        else if (packages.Count == 0) w.WriteLine("  (none)");
        var pw = packages.Count == 0 ? 10 : 0;
        foreach (var p in packages) pw = Math.Max(pw, p.Key.Length);
        pw += 3;
        foreach (var p in packages)
            w.WriteLine(($"  {p.Key.PadRight(pw)}" + (p.Requires.Count > 0 ? "-> " + string.Join(", ", p.Requires) : "")).TrimEnd());
        w.WriteLine();
        w.WriteLine("Parameters:");
        w.WriteLine();
        var sorted = new List<ParameterInfo>(parameters);
        sorted.Sort((a, b) => string.CompareOrdinal(a.Kebab, b.Kebab));
        var options = new List<Option>();
        var own = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in sorted)
        {
            options.Add(new Option($"--{p.Kebab}{(p.IsFlag ? "" : p.IsArray ? " <values>" : " <value>")}", p.Description ?? ""));
            own.Add(Arguments.Normalize(p.Name));
        }
        // A build parameter that shares a host option's name (e.g. Continue) describes it better for this build.
        foreach (var o in HostOptions(graph))
            if (!own.Contains(Arguments.Normalize(o.Name.Split(' ')[0]))) options.Add(o);
        var ow = 0;
        foreach (var o in options) ow = Math.Max(ow, o.Name.Length);
        ow += 3;
        foreach (var o in options)
            w.WriteLine($"  {o.Name.PadRight(ow)}{o.Description}".TrimEnd());
    }

    private sealed record Option(string Name, string Description);

    private static Option[] HostOptions(TargetGraph graph) =>
    [
        new("--target <names>", $"Targets to run (also positional, or joined with '+'). Default: {graph.Default?.Name ?? "none"}."),
        new("--skip [names]", "Skip the named targets; with no names, skip every target that was not invoked."),
        new("--continue", "Rerun the last failed invocation, skipping the targets that already succeeded."),
        new("--verbosity <level>", "quiet (warnings, errors, summary), minimal (and target headers), normal, or verbose (and debug)."),
        new("--no-logo", "Do not print the logo."),
        new("--host <host>", "Where the build runs: terminal or githubactions (groups, annotations). Default: detected."),
        new("--profile <names>", "Also read .nuke/parameters.<name>.json (later profiles win)."),
        new("--plan", "Write the execution plan page (.nuke/temp/execution-plan.html); runs nothing."),
        new("--plan-format <f>", "With --plan: print the plan as mermaid, dot or json instead."),
        new("--root <path>", "The project root (default: the build script's folder; run as a tool, the nearest folder above with .nuke/)."),
        new("--help", "Show this help."),
    ];
}
