using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Hashing;

/// <summary>The machine-readable plan (<c>--plan-json</c>): every package with its id, requires and cache state.</summary>
public static class PlanJson
{
    public static string Render(PackageGraph graph, IReadOnlyDictionary<PackageKey, PackagePlan> plans, Func<PackageId, bool> isCached)
    {
        var packages = graph.Order.Select(k => (object?)new Dictionary<string, object?>
        {
            ["name"] = k.Name,
            ["variant"] = k.Variant,
            ["id"] = plans[k].Id.ToString(),
            ["requires"] = plans[k].RequireIds.Select(i => (object?)i.ToString()).ToList(),
            ["cached"] = isCached(plans[k].Id),
        }).ToList();
        return PlainJson.Pretty(new Dictionary<string, object?> { ["packages"] = packages }) + "\n";
    }
}
