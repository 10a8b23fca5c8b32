using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Graph;

/// <summary>
/// What the user asked for: one package (and variant), or the whole folder: the union of its tree variants (one, or
/// all), or, in a plain package store (no treeinfo file), every (name, variant) in it.
/// </summary>
public sealed record Selection(string? Package, string? Variant, string? TreeVariant)
{
    public PackageGraph Resolve(PackageStore store)
    {
        if (!string.IsNullOrEmpty(Package))
        {
            var key = new PackageKey(Package, Model.Variant.FromUser(Variant));
            if (!PackageName.IsValid(Package))
                throw new BuildError($"Selection.Package {Package}: invalid package name; names match {PackageName.NamePattern} without \"--\".");
            if (!store.Contains(key)) throw new BuildError($"Selection.Package {Package}: {store.DescribeMissing(key)}");
            return PackageGraph.ForPackages(store, [key]);
        }
        if (!string.IsNullOrEmpty(Variant))
            throw new BuildError($"Selection.Variant {Variant} needs Selection.Package: a variant belongs to one package.");
        if (store.IsPlainStore && string.IsNullOrEmpty(TreeVariant)) return PackageGraph.ForStore(store);
        return PackageGraph.ForTrees(store, Trees(store));
    }

    /// <summary>The tree variants to pack; a plain package store has none, which is an error for a target that packs.</summary>
    public IReadOnlyList<TreeInfo> TreesToPack(PackageStore store) => store.IsPlainStore
        ? throw new BuildError($"{PackageStore.Shown(store.PackagesDir)} has no treeinfo.json (nor any <variant>.treeinfo.json): it is a plain package store, " +
                               "so there is no tree variant to pack. Its packages can be built; add a treeinfo.json to make it a tree with a bootstrap bundle.")
        : Trees(store);

    /// <summary>The tree variants in play: the one named by TreeVariant, or all (none in a plain package store).</summary>
    public IReadOnlyList<TreeInfo> Trees(PackageStore store)
    {
        if (store.IsPlainStore && !string.IsNullOrEmpty(TreeVariant))
            throw new BuildError($"Selection.TreeVariant {TreeVariant}: {PackageStore.Shown(store.PackagesDir)} has no treeinfo.json (nor any <variant>.treeinfo.json), " +
                                 "so it is a plain package store without tree variants.");
        if (string.IsNullOrEmpty(TreeVariant)) return store.Trees;
        var wanted = Model.Variant.FromUser(TreeVariant);
        return store.Trees.Where(t => t.TreeVariant == wanted).ToList() is { Count: > 0 } found
            ? found
            : throw new BuildError($"Selection.TreeVariant {TreeVariant}: there is no {Model.Variant.Prefix(wanted)}treeinfo.json in {PackageStore.Shown(store.PackagesDir)} " +
                                   $"(tree variants: {string.Join(", ", store.Trees.Select(t => Model.Variant.Display(t.TreeVariant)))}).");
    }
}
