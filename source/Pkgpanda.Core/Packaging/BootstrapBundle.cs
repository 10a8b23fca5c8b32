using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>What Pack produced for one tree variant.</summary>
public sealed record BootstrapResult(string? TreeVariant, string BootstrapId, IReadOnlyList<PackageId> Packages, bool Created, string Tarball);

/// <summary>
/// A tree variant's bootstrap bundle (SPEC 6): the bootstrap packages activated under <c>/opt/mesosphere</c>,
/// plus the empty <c>bootstrap</c> marker, packed like a package; its id is the hash of the package ids.
/// Then <c>[variant.]bootstrap.latest</c> and <c>[variant.]complete.latest.json</c>, written last.
/// </summary>
public sealed class BootstrapBundle(PackageCache cache)
{
    public const string Root = "/opt/mesosphere";

    public string TarballPath(string bootstrapId) => Path.Combine(cache.BootstrapFolder, bootstrapId + ".bootstrap.tar.xz");

    public string ActivePath(string bootstrapId) => Path.Combine(cache.BootstrapFolder, bootstrapId + ".active.json");

    public string LatestPath(string? treeVariant) => Path.Combine(cache.BootstrapFolder, Variant.Prefix(treeVariant) + "bootstrap.latest");

    public string CompletePath(string? treeVariant) => Path.Combine(cache.CompleteFolder, Variant.Prefix(treeVariant) + "complete.latest.json");

    public static string IdOf(IEnumerable<PackageId> ids) => HashCheckout.Of(ids.Select(i => (object?)i.ToString()).ToList());

    /// <summary>
    /// Makes (or finds) the bundle of <paramref name="tree"/>. <paramref name="tryDownload"/> may fetch an
    /// existing bundle (tarball and active.json) from a shared repository before building one.
    /// </summary>
    public async Task<BootstrapResult> PackAsync(PackageStore store, TreeInfo tree, IReadOnlyDictionary<PackageKey, PackagePlan> plans,
        Func<string, CancellationToken, Task<bool>>? tryDownload, CancellationToken cancellationToken)
    {
        var all = PackageGraph.ForTree(store, tree).Order.Select(k => plans[k].Id).Order().ToList();
        var bootstrap = PackageGraph.BootstrapOf(store, tree).Order.Select(k => plans[k].Id).Order().ToList();
        foreach (var id in all.Where(id => !cache.Contains(id)))
            throw new BuildError($"Cannot pack tree {Variant.Display(tree.TreeVariant)}: package {id} is not built; run the Build target first.");

        var bootstrapId = IdOf(bootstrap);
        var tarball = TarballPath(bootstrapId);
        var created = false;
        if (!File.Exists(tarball) && !(tryDownload is not null && await tryDownload(bootstrapId, cancellationToken).ConfigureAwait(false)))
        {
            await CreateAsync(bootstrapId, bootstrap, cancellationToken).ConfigureAwait(false);
            created = true;
        }
        if (!File.Exists(ActivePath(bootstrapId)))
            AtomicFile.WriteAllText(ActivePath(bootstrapId), PlainJson.Pretty(bootstrap.Select(i => (object?)i.ToString()).ToList()));

        // Pointers last: a reader never sees latest/complete naming a bundle that is not there yet.
        AtomicFile.WriteAllText(LatestPath(tree.TreeVariant), bootstrapId);
        AtomicFile.WriteAllText(CompletePath(tree.TreeVariant), PlainJson.Pretty(new Dictionary<string, object?>
        {
            ["bootstrap"] = bootstrapId,
            ["packages"] = all.Select(i => (object?)i.ToString()).ToList(),
        }));
        return new BootstrapResult(tree.TreeVariant, bootstrapId, bootstrap, created, tarball);
    }

    private async Task CreateAsync(string bootstrapId, IReadOnlyList<PackageId> packages, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(cache.BootstrapFolder);
        var work = Path.Combine(cache.ScratchFolder, $"bootstrap-{bootstrapId}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            // Links name /opt/mesosphere/..., the path the bundle is unpacked at (pkgpanda rewrote them relative to /).
            await Activation.InstallAsync(work, packages.Select(cache.PackagePath), new ActivationOptions { LinkRoot = Root }, cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(work, "bootstrap"), [], cancellationToken).ConfigureAwait(false);
            AtomicFile.WriteAllText(ActivePath(bootstrapId), PlainJson.Pretty(packages.Select(i => (object?)i.ToString()).ToList()));
            await Packer.PackAsync(work, TarballPath(bootstrapId), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            FileTree.TryDelete(work);
        }
    }
}
