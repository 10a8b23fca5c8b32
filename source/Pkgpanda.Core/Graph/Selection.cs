using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Graph;

/// <summary>What the user asked for: one package (and variant), or the tree (one tree variant, or all).</summary>
public sealed record Selection(string? Package, string? Variant, string? TreeVariant)
{
    public PackageGraph Resolve(PackageStore store)
    {
        if (!string.IsNullOrEmpty(Package))
            return PackageGraph.ForPackages(store, [new PackageKey(Package, Model.Variant.FromUser(Variant))]);
        if (!string.IsNullOrEmpty(Variant))
            throw new BuildError($"Selection.Variant {Variant} needs Selection.Package: a variant belongs to one package.");
        return PackageGraph.ForTrees(store, Trees(store));
    }

    /// <summary>The tree variants in play: the one named by TreeVariant, or all.</summary>
    public IReadOnlyList<TreeInfo> Trees(PackageStore store)
    {
        if (string.IsNullOrEmpty(TreeVariant)) return store.Trees;
        var wanted = Model.Variant.FromUser(TreeVariant);
        return store.Trees.Where(t => t.TreeVariant == wanted).ToList() is { Count: > 0 } found
            ? found
            : throw new BuildError($"Selection.TreeVariant {TreeVariant}: there is no {Model.Variant.Prefix(wanted)}treeinfo.json in {PackageStore.Shown(store.PackagesDir)} " +
                                   $"(tree variants: {string.Join(", ", store.Trees.Select(t => Model.Variant.Display(t.TreeVariant)))}).");
    }
}
