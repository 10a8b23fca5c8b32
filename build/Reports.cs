using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;
using Spectre.Console;

/// <summary>How results are shown: plain aligned columns, so they read well in a terminal and in CI logs.</summary>
static class Reports
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

    public static void Ids(PackageGraph graph, IReadOnlyDictionary<PackageKey, PackagePlan> plans, PackageCache cache, string? planJson)
    {
        var nameWidth = graph.Order.Select(k => k.Name.Length).DefaultIfEmpty(8).Max() + 2;
        var variantWidth = graph.Order.Select(k => Variant.Display(k.Variant).Length).DefaultIfEmpty(9).Max() + 2;
        var idWidth = graph.Order.Select(k => plans[k].Id.ToString().Length).DefaultIfEmpty(10).Max() + 2;
        AnsiConsole.WriteLine($"{"PACKAGE".PadRight(nameWidth)}{"VARIANT".PadRight(variantWidth)}{"ID".PadRight(idWidth)}CACHED");
        foreach (var key in graph.Order)
        {
            var id = plans[key].Id;
            AnsiConsole.WriteLine($"{key.Name.PadRight(nameWidth)}{Variant.Display(key.Variant).PadRight(variantWidth)}{id.ToString().PadRight(idWidth)}{(cache.Contains(id) ? "yes" : "no")}");
        }
        if (planJson is not null)
        {
            AtomicFile.WriteAllText(planJson, PlanJson.Render(graph, plans, cache.Contains));
            AnsiConsole.WriteLine($"Plan written to {planJson}");
        }
    }

    static string Show(PackageKey k) => k.Variant is null ? k.Name : $"{k.Name} ({k.Variant})";
}
