using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>NUKE's --help: targets with their direct dependencies and descriptions, then the parameters.</summary>
public static class Help
{
    public static void Write(IAnsiConsole console, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters)
    {
        console.WriteLine("Targets (with their direct dependencies):");
        console.WriteLine();
        var listed = graph.All.Where(t => t.Listed).ToList();
        var width = listed.Select(t => t.Name.Length + (t.IsDefault ? 10 : 0)).DefaultIfEmpty(10).Max() + 3;
        foreach (var t in listed)
        {
            var name = t.Name + (t.IsDefault ? " (default)" : "");
            var deps = t.ExecutionDependencies.Count > 0 ? " -> " + string.Join(", ", t.ExecutionDependencies.Select(d => d.Name)) : "";
            console.WriteLine($"  {name.PadRight(width)}{t.Description}{deps}");
        }
        console.WriteLine();
        console.WriteLine("Parameters:");
        console.WriteLine();
        var pw = parameters.Select(p => p.Kebab.Length).DefaultIfEmpty(10).Max() + 5;
        foreach (var p in parameters.OrderBy(p => p.Kebab, StringComparer.Ordinal))
            console.WriteLine($"  --{p.Kebab.PadRight(pw)}{p.Description}");
        console.WriteLine();
        console.WriteLine("  --target <names>    Targets to run (also positional, or joined with '+').");
        console.WriteLine("  --skip [names]      Skip the named targets; bare --skip skips everything not invoked.");
        console.WriteLine("  --continue          Rerun the last invocation, skipping targets that already succeeded.");
        console.WriteLine("  --profile <names>   Also read .nuke/parameters.<name>.json.");
        console.WriteLine("  --root <path>       The project root (default: the nearest folder with .nuke/).");
        console.WriteLine("  --help              Show this help.");
    }
}
