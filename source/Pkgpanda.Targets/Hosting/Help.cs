using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>NUKE's --help: targets with their direct dependencies and descriptions, then the parameters.</summary>
internal static class Help
{
    public static void Write(IAnsiConsole console, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters,
        IReadOnlyList<PackageNode> packages, string? packagesNote)
    {
        var w = console.Profile.Out.Writer;
        w.WriteLine("Targets (with their direct dependencies):");
        w.WriteLine();
        var listed = graph.Targets.Where(t => t.Listed).ToList();
        var width = listed.Select(t => t.Name.Length + (t.IsDefault ? 10 : 0)).DefaultIfEmpty(10).Max() + 3;
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
        var pw = packages.Select(p => p.Key.Length).DefaultIfEmpty(10).Max() + 3;
        foreach (var p in packages)
            w.WriteLine(($"  {p.Key.PadRight(pw)}" + (p.Requires.Count > 0 ? "-> " + string.Join(", ", p.Requires) : "")).TrimEnd());
        w.WriteLine();
        w.WriteLine("Parameters:");
        w.WriteLine();
        var options = parameters.OrderBy(p => p.Kebab, StringComparer.Ordinal)
            .Select(p => ($"--{p.Kebab}{(p.IsFlag ? "" : p.IsArray ? " <values>" : " <value>")}", p.Description ?? ""))
            // A build parameter that shares a host option's name (e.g. Continue) describes it better for this build.
            .Concat(HostOptions(graph).Where(o => parameters.All(p => Arguments.Normalize(p.Name) != Arguments.Normalize(o.Item1.Split(' ')[0]))))
            .ToList();
        var ow = options.Max(o => o.Item1.Length) + 3;
        foreach (var (option, description) in options)
            w.WriteLine($"  {option.PadRight(ow)}{description}".TrimEnd());
    }

    private static IEnumerable<(string, string)> HostOptions(TargetGraph graph) =>
    [
        ("--target <names>", $"Targets to run (also positional, or joined with '+'). Default: {graph.Default?.Name ?? "none"}."),
        ("--skip [names]", "Skip the named targets; with no names, skip every target that was not invoked."),
        ("--continue", "Rerun the last failed invocation, skipping the targets that already succeeded."),
        ("--verbosity <level>", "quiet (warnings, errors, summary), minimal (and target headers), normal, or verbose (and debug)."),
        ("--no-logo", "Do not print the logo."),
        ("--host <host>", "Where the build runs: terminal or githubactions (groups, annotations). Default: detected."),
        ("--profile <names>", "Also read .nuke/parameters.<name>.json (later profiles win)."),
        ("--plan", "Write the execution plan page (.nuke/temp/execution-plan.html); runs nothing."),
        ("--plan-format <f>", "With --plan: print the plan as mermaid, dot or json instead."),
        ("--root <path>", "The project root (default: the build script's folder; run as a tool, the nearest folder above with .nuke/)."),
        ("--help", "Show this help."),
    ];
}
