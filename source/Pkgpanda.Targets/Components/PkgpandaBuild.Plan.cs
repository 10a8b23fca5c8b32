using Pkgpanda.Core.Model;

namespace Pkgpanda.Targets.Components;

/// <summary>The engine's view of the selection: package nodes for --plan and --help.</summary>
public abstract partial class PkgpandaBuild
{
    protected internal override async Task<IReadOnlyList<PackageNode>> PackageNodesAsync(bool withIds, CancellationToken cancellationToken)
    {
        IReadOnlyList<PackageNode> nodes = [];
        await Run(async () =>
        {
            var plans = withIds ? await Plans() : null;
            var cache = Cache;
            nodes = Graph.Order.Select(k => new PackageNode(k.Name, k.Variant, Graph.RequiresOf(k).Select(r => r.ToString()).ToList())
            {
                Id = plans?[k].Id.ToString(),
                Cached = plans is null ? null : cache.Contains(plans[k].Id),
            }).ToList();
        });
        return nodes;
    }
}
