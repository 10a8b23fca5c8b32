using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Repositories;

/// <summary>
/// Fetches packages and bootstrap bundles from a repository into the cache before anything is built
/// (<see cref="Building.BuildContext.TryDownload"/>). Every object is verified against the <c>.sha256</c> published
/// beside it, and a tarball must read whole; each appears in the cache by rename only after that, so nothing
/// unverified is ever cached.
/// </summary>
/// <remarks>
/// Not found is <c>false</c> (the caller builds). A repository that does not answer is a warning and <c>false</c>, and
/// is not asked again during this run, so a dead server costs one timeout, not one per package. A missing sidecar or a
/// mismatch is a <see cref="BuildError"/>: a corrupted or tampered repository must be noticed, not built around.
/// </remarks>
public sealed class PackageDownloader(IRepository repository, PackageCache cache, IProgress<RepositoryEvent>? events = null)
{
    private int _unavailable;

    /// <summary>The hook for <see cref="Building.BuildContext.TryDownload"/>.</summary>
    public Task<bool> TryDownloadAsync(PackageId id, CancellationToken cancellationToken) =>
        TryFetchAsync([(RepositoryLayout.Package(id), cache.PackagePath(id))], cancellationToken);

    /// <summary>A bootstrap bundle and its <c>active.json</c>; both or neither end up in the cache.</summary>
    public Task<bool> TryDownloadBootstrapAsync(string bootstrapId, CancellationToken cancellationToken) =>
        TryFetchAsync(
        [
            (RepositoryLayout.Bootstrap(bootstrapId), Path.Combine(cache.BootstrapFolder, $"{bootstrapId}.bootstrap.tar.xz")),
            (RepositoryLayout.Active(bootstrapId), Path.Combine(cache.BootstrapFolder, $"{bootstrapId}.active.json")),
        ], cancellationToken);

    private async Task<bool> TryFetchAsync(IReadOnlyList<(string RelativePath, string Destination)> objects, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _unavailable) != 0) return false;
        var temporaries = new List<string>();
        try
        {
            foreach (var (path, destination) in objects)
            {
                var folder = Path.GetDirectoryName(destination)!;
                Directory.CreateDirectory(folder);
                var temporary = Store.Temporary.Beside(destination);
                temporaries.Add(temporary);
                if (!await FetchVerifiedAsync(path, temporary, cancellationToken).ConfigureAwait(false))
                {
                    events?.Report(new NotInRepository(path));
                    return false;
                }
            }
            // The last object (active.json) names the first: it appears last.
            for (var i = 0; i < objects.Count; i++) File.Move(temporaries[i], objects[i].Destination, overwrite: true);
            foreach (var (path, destination) in objects) events?.Report(new Downloaded(path, new FileInfo(destination).Length));
            return true;
        }
        catch (RepositoryUnavailableException e)
        {
            if (Interlocked.Exchange(ref _unavailable, 1) == 0)
                events?.Report(new RepositoryWarning(objects[0].RelativePath, $"{e.Message} Building instead; the repository is not asked again in this run."));
            return false;
        }
        finally
        {
            foreach (var temporary in temporaries)
                try { File.Delete(temporary); } catch (IOException) { }
        }
    }

    private async Task<bool> FetchVerifiedAsync(string path, string temporary, CancellationToken cancellationToken)
    {
        var progress = events is null ? null : new Relay<long>(done => events.Report(new TransferProgress(path, done, null, Upload: false)));
        if (!await repository.TryDownloadAsync(path, temporary, progress, cancellationToken).ConfigureAwait(false)) return false;
        var sidecar = RepositoryLayout.Sidecar(path);
        var text = await repository.TryReadTextAsync(sidecar, cancellationToken).ConfigureAwait(false);
        var expected = text is null ? null : Sha256Sidecar.Parse(text);
        if (expected is null)
            throw new BuildError($"{Location(path)} cannot be verified: {Location(sidecar)} is {(text is null ? "missing" : "not a sha256 sidecar")}. " +
                                 "Nothing was cached. Publish the package again (Publish writes the sidecar) or remove it from the repository.");
        var actual = await Sha256Sidecar.OfFileAsync(temporary, cancellationToken).ConfigureAwait(false);
        if (actual != expected)
            throw new BuildError($"{Location(path)} does not match its published sha256: {Location(sidecar)} says {expected}, the download has {actual}. " +
                                 "Nothing was cached. The repository copy is corrupt or was tampered with; remove it there and publish again.");
        // The sidecar only says the bytes are what was published: a tarball published broken would be cached, then fail
        // every build that unpacks it, and be downloaded again by the next run.
        if (path.EndsWith(".tar.xz", StringComparison.Ordinal) &&
            await Task.Run(() => TarballTest.Problem(temporary, cancellationToken), cancellationToken).ConfigureAwait(false) is { } problem)
            throw new BuildError($"{Location(path)} matches its published sha256 but does not read as a .tar.xz: {problem}. " +
                                 "Nothing was cached. It was published broken; remove it from the repository (and its .sha256) and publish again.");
        return true;
    }

    private string Location(string relativePath) => repository.Url.TrimEnd('/', Path.DirectorySeparatorChar) + "/" + relativePath;
}
