using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Hashing;

/// <summary>The machine-readable plan (<c>--plan-json</c>): every package with its id, requires and cache state.</summary>
public static class PlanJson
{
    /// <summary>A package whose id could not be computed has <c>"id": null</c> and an <c>"error"</c>.</summary>
    public static string Render(PackageGraph graph, IdResult ids, Func<PackageId, bool> isCached)
    {
        var packages = graph.Order.Select(k => (object?)(ids.Plans.TryGetValue(k, out var plan)
            ? new Dictionary<string, object?>
            {
                ["name"] = k.Name,
                ["variant"] = k.Variant,
                ["id"] = plan.Id.ToString(),
                ["requires"] = plan.RequireIds.Select(i => (object?)i.ToString()).ToList(),
                ["cached"] = isCached(plan.Id),
            }
            : new Dictionary<string, object?>
            {
                ["name"] = k.Name,
                ["variant"] = k.Variant,
                ["id"] = null,
                ["requires"] = graph.TransitiveRequiresOf(k).Select(r => (object?)(ids.Plans.TryGetValue(r, out var p) ? p.Id.ToString() : null)).ToList(),
                ["cached"] = false,
                ["error"] = ids.Unresolved[k].Reason,
            })).ToList();
        return PlainJson.Pretty(new Dictionary<string, object?> { ["packages"] = packages }) + "\n";
    }
}
