using System.Collections.Concurrent;

namespace Pkgpanda.Core.Repositories;

/// <summary>
/// Uploads a <see cref="PublishPlan"/>: objects first, several at once, each with its <c>.sha256</c> sidecar; then the
/// pointers, in order. An object already there with the same sha256 is skipped; one with different content is never
/// overwritten. So a reader never sees a pointer to a missing object, and an interrupted publish is finished by
/// running it again.
/// </summary>
/// <remarks>
/// The sidecar goes up before its object: whoever sees an object also sees its sidecar. A sidecar whose object is
/// missing (an interrupted publish) is harmless: readers find no object and build instead.
/// </remarks>
public sealed class Publisher(IRepository repository, IProgress<RepositoryEvent>? events = null, int parallel = 4)
{
    public async Task<PublishResult> PublishAsync(PublishPlan plan, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("pkgpanda-publish-");
        try
        {
            var uploaded = new ConcurrentBag<string>();
            var skipped = new ConcurrentBag<string>();
            var failures = new ConcurrentQueue<(string Path, string Problem)>();
            long bytes = 0;
            using var slots = new SemaphoreSlim(Math.Max(1, parallel));
            // After the first failure no new object starts: the rest would most likely fail the same way, slowly.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            async Task One(PublishItem item)
            {
                try
                {
                    await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                try
                {
                    var size = await PublishObjectAsync(item, scratch.FullName, cancellationToken).ConfigureAwait(false);
                    if (size is { } n) { uploaded.Add(item.RelativePath); Interlocked.Add(ref bytes, n); }
                    else skipped.Add(item.RelativePath);
                }
                catch (Exception e) when (e is BuildError or RepositoryUnavailableException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    failures.Enqueue((item.RelativePath, e.Message));
                    stop.Cancel();
                }
                finally
                {
                    slots.Release();
                }
            }

            await Task.WhenAll(plan.Objects.Select(One)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!failures.IsEmpty) throw Failed(failures);

            foreach (var pointer in plan.Pointers)
            {
                try
                {
                    await repository.UploadAsync(pointer.RelativePath, pointer.LocalFile, null, cancellationToken).ConfigureAwait(false);
                }
                catch (RepositoryUnavailableException e)
                {
                    throw new BuildError($"Publishing to {repository.Url} failed at the pointer {pointer.RelativePath}: {e.Message} Every object is in place; run Publish again to update the pointers.");
                }
                events?.Report(new Uploaded(pointer.RelativePath, new FileInfo(pointer.LocalFile).Length));
            }
            return new PublishResult(Sorted(uploaded), Sorted(skipped), plan.Pointers.Select(p => p.RelativePath).ToList(), bytes);
        }
        finally
        {
            try { scratch.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Uploads one object and its sidecar; returns the bytes uploaded, or null when it was already there.</summary>
    private async Task<long?> PublishObjectAsync(PublishItem item, string scratch, CancellationToken cancellationToken)
    {
        var path = item.RelativePath;
        var sha256 = await Sha256Sidecar.OfFileAsync(item.LocalFile, cancellationToken).ConfigureAwait(false);
        // A package damaged since it was built (its size and time kept, so the cache's quick check passed) must not
        // reach the repository, where it could never be replaced: it is moved aside, and Build makes it again.
        if (Packaging.TarballRecord.Read(item.LocalFile) is { } record && !string.Equals(record.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            var aside = Packaging.PackageCache.SetAside(item.LocalFile);
            throw new BuildError($"{item.LocalFile} is damaged: its sha256 is {sha256}, but {record.Sha256} was written when it was built. " +
                                 $"It was not uploaded, and was moved to {aside}: build it again, then publish.");
        }
        var sidecar = Path.Combine(scratch, Guid.NewGuid().ToString("N") + RepositoryLayout.SidecarSuffix);
        await File.WriteAllTextAsync(sidecar, Sha256Sidecar.Format(sha256, path), cancellationToken).ConfigureAwait(false);

        if (await repository.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var published = Sha256Sidecar.Parse(await repository.TryReadTextAsync(RepositoryLayout.Sidecar(path), cancellationToken).ConfigureAwait(false) ?? "");
            // No usable sidecar (not ours, or lost): the object's own bytes decide.
            var remote = published ?? await HashRemoteAsync(path, scratch, cancellationToken).ConfigureAwait(false);
            if (remote != sha256)
                throw new BuildError($"{Location(path)} already exists with different content (sha256 {remote}; this machine's {item.LocalFile} has {sha256}). " +
                                     "Published objects are never overwritten: the same id was built into different bytes somewhere. Find out why, or remove the object from the repository by hand.");
            if (published is null) await repository.UploadAsync(RepositoryLayout.Sidecar(path), sidecar, null, cancellationToken).ConfigureAwait(false);
            events?.Report(new SkippedIdentical(path));
            return null;
        }

        await repository.UploadAsync(RepositoryLayout.Sidecar(path), sidecar, null, cancellationToken).ConfigureAwait(false);
        var total = new FileInfo(item.LocalFile).Length;
        var progress = events is null ? null : new Relay<long>(done => events.Report(new TransferProgress(path, done, total, Upload: true)));
        await repository.UploadAsync(path, item.LocalFile, progress, cancellationToken).ConfigureAwait(false);
        events?.Report(new Uploaded(path, total));
        return total;
    }

    private async Task<string?> HashRemoteAsync(string path, string scratch, CancellationToken cancellationToken)
    {
        var copy = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        try
        {
            return await repository.TryDownloadAsync(path, copy, null, cancellationToken).ConfigureAwait(false)
                ? await Sha256Sidecar.OfFileAsync(copy, cancellationToken).ConfigureAwait(false)
                : null;
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private BuildError Failed(IEnumerable<(string Path, string Problem)> failures) =>
        new($"Publishing to {repository.Url} failed; no latest/complete pointer was updated, so readers see the previous state. " +
            $"Objects already uploaded stay (they are verified and skipped next time); run Publish again once the problem is fixed.\n" +
            string.Join("\n", failures.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => $"  {f.Path}: {f.Problem}")));

    private string Location(string relativePath) => repository.Url.TrimEnd('/', Path.DirectorySeparatorChar) + "/" + relativePath;

    private static List<string> Sorted(IEnumerable<string> paths) => paths.OrderBy(p => p, StringComparer.Ordinal).ToList();
}
