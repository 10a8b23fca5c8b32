using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// The builder's output folder, laid out as pkgpanda lays it out (<c>cache/packages/&lt;name&gt;/&lt;id&gt;.tar.xz</c>,
/// <c>[variant.]latest</c>, <c>cache/bootstrap</c>, <c>cache/complete</c>), so existing tooling finds things.
/// </summary>
public sealed class PackageCache(string cacheDir)
{
    public string Root { get; } = Path.GetFullPath(cacheDir);

    public string PackageFolder(string name) => Path.Combine(Root, "packages", name);

    public string PackagePath(PackageId id) => Path.Combine(PackageFolder(id.Name), id + ".tar.xz");

    public string LogPath(PackageId id) => Path.Combine(PackageFolder(id.Name), id + ".log");

    public string LatestPath(PackageKey key) => Path.Combine(PackageFolder(key.Name), Variant.Prefix(key.Variant) + "latest");

    public string BootstrapFolder => Path.Combine(Root, "bootstrap");

    public string CompleteFolder => Path.Combine(Root, "complete");

    /// <summary>Scratch space for in-flight work; each build gets its own folder, so a killed run never blocks the next.</summary>
    public string ScratchFolder => Path.Combine(Root, "tmp");

    /// <summary>Failed builds kept for inspection (<c>--keep-failed</c>); never read by the builder.</summary>
    public string FailedFolder => Path.Combine(Root, "failed");

    /// <summary>Successful builds' folders kept for inspection (<c>--dont-clean-after-build</c>); never read by the builder.</summary>
    public string KeptFolder => Path.Combine(Root, "kept");

    /// <summary>Held while one process builds <paramref name="id"/> (and while Clean removes its kept folders).</summary>
    public string BuildLockPath(PackageId id) => Path.Combine(PackageFolder(id.Name), $".{id}.lock");

    /// <summary>
    /// Held shared by every run that uses the cache, for its whole life, and exclusively by <c>Clean</c> when it removes
    /// what a run may read (built packages, temporaries). Never deleted, so every holder locks the same file.
    /// </summary>
    public string RunLockPath => Path.Combine(Root, ".lock");

    public bool Contains(PackageId id) => File.Exists(PackagePath(id));


    /// <summary>Points <c>latest</c> at a package; only after its tarball is in place.</summary>
    public void WriteLatest(PackageKey key, PackageId id)
    {
        if (!Contains(id)) throw new InvalidOperationException($"latest must not point at {id} before {PackagePath(id)} exists.");
        AtomicFile.WriteAllText(LatestPath(key), id.ToString());
    }
}
