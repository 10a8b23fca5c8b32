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
            // The ids that can be computed are shown, as Hash prints them; a package without one says why.
            var ids = withIds ? await AvailableIds() : null;
            var cache = Cache;
            nodes = Graph.Order.Select(k => new PackageNode(k.Name, k.Variant, Graph.RequiresOf(k).Select(r => r.ToString()).ToList())
            {
                Id = ids is not null && ids.Plans.TryGetValue(k, out var plan) ? plan.Id.ToString() : null,
                Cached = ids is not null && ids.Plans.TryGetValue(k, out var known) ? cache.Contains(known.Id) : null,
                IdError = ids is not null && ids.Unresolved.TryGetValue(k, out var why) ? why.Reason.Split('\n')[0].Trim() : null,
            }).ToList();
        });
        return nodes;
    }
}
