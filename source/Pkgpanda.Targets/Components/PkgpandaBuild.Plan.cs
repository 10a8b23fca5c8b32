using Pkgpanda.Core.Model;
using Pkgpanda.Targets;

/// <summary>The engine's view of the selection: package nodes for --plan, --help and targets declared with .Packages(...).</summary>
partial class Mkpanda
{
    protected override async Task<IReadOnlyList<PackageNode>> PackageNodesAsync(bool withIds, CancellationToken cancellationToken)
    {
        var plans = withIds ? await Plans() : null;
        var cache = Cache;
        return Graph.Order.Select(k => new PackageNode(k.Name, k.Variant, Graph.RequiresOf(k).Select(r => r.ToString()).ToList())
        {
            Id = plans?[k].Id.ToString(),
            Cached = plans is null ? null : cache.Contains(plans[k].Id),
        }).ToList();
    }
}
