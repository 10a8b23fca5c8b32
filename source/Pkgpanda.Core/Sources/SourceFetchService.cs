using System.Collections.Concurrent;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// Fills the source caches of a whole graph (the Fetch target) and checks a package's sources out for a build.
/// Sources several packages share (same kind, url and ref or sums) go over the network once; the other
/// packages' caches are filled from the first. Work on one cache folder is serialised, so variants of a
/// package (which share cache folders) never write the same mirror or file at once.
/// </summary>
public sealed class SourceFetchService(SourceFetchers fetchers, int maxParallel = 4)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _folderLocks = new(StringComparer.Ordinal);

    public SourceFetchers Fetchers => fetchers;

    /// <summary>Fetches every source of every package in <paramref name="graph"/>; failures are in the summary, not thrown.</summary>
    public async Task<FetchSummary> FetchAllAsync(PackageGraph graph, IProgress<FetchEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        // Half downloads and half mirrors of killed runs are swept first (only those of processes that are gone).
        new Packaging.PackageCache(fetchers.CacheDir).RemoveAbandoned();
        var groups = new List<List<(ISourceFetcher Fetcher, string Label, string? CacheFolder)>>();
        var byKey = new Dictionary<string, List<(ISourceFetcher, string, string?)>>(StringComparer.Ordinal);
        foreach (var key in graph.Order)
        {
            var info = graph[key];
            foreach (var spec in info.Sources)
            {
                var fetcher = fetchers.Create(info, spec);
                var cacheFolder = spec is GitLocalSource ? null : fetchers.CacheFolder(info.Name, spec.Name);
                var member = (fetcher, $"{info.Name}/{spec.Name}", cacheFolder);
                if (byKey.TryGetValue(fetcher.ShareKey, out var group))
                {
                    // Variants of one package share a cache folder: once is enough.
                    if (!group.Any(m => m.Item2 == member.Item2)) group.Add(member);
                    continue;
                }
                byKey[fetcher.ShareKey] = group = [member];
                groups.Add(group);
            }
        }

        using var slots = new SemaphoreSlim(Math.Max(1, maxParallel));
        var tasks = groups.Select(async group =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try { return await FetchGroupAsync(group, progress, cancellationToken).ConfigureAwait(false); }
            finally { slots.Release(); }
        }).ToList();
        return new FetchSummary((await Task.WhenAll(tasks).ConfigureAwait(false)).SelectMany(r => r).ToList());
    }

    /// <summary>
    /// One download for every source that names the same url and sums (or repository and commit): the first fetches,
    /// the others copy from its cache. A plain url goes first, so that a url_extract twin's own checks (is it an
    /// archive, are its entries safe) fail under the twin's name alone; a failed download fails them all, once.
    /// </summary>
    private async Task<IReadOnlyList<SourceFetchResult>> FetchGroupAsync(List<(ISourceFetcher Fetcher, string Label, string? CacheFolder)> group,
        IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        group = [.. group.OrderBy(m => m.Fetcher.Spec.Kind == "url" ? 0 : 1)];
        var leader = group[0];
        var recorder = new WarningRecorder(progress);
        FetchOutcome outcome;
        try
        {
            outcome = await LockedAsync(leader.CacheFolder, () => leader.Fetcher.FetchAsync(recorder, cancellationToken), cancellationToken).ConfigureAwait(false);
            recorder.Report(new FetchFinished(leader.Label, outcome));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            progress?.Report(new FetchFailed(leader.Label, ex.Message));
            return [new SourceFetchResult(leader.Label, leader.Fetcher.Spec.Kind, group.Select(m => m.Label).ToList(), null, ex.Message, recorder.Warnings)];
        }
        var users = new List<string> { leader.Label };
        var failures = new List<SourceFetchResult>();
        foreach (var twin in group.Skip(1))
        {
            try
            {
                if (twin.CacheFolder != leader.CacheFolder)
                {
                    var o = await LockedAsync(twin.CacheFolder, () => twin.Fetcher.FetchAsync(recorder, cancellationToken, leader.Fetcher), cancellationToken).ConfigureAwait(false);
                    recorder.Report(new FetchFinished(twin.Label, o));
                }
                users.Add(twin.Label);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                progress?.Report(new FetchFailed(twin.Label, ex.Message));
                failures.Add(new SourceFetchResult(twin.Label, twin.Fetcher.Spec.Kind, [twin.Label], null, ex.Message, []));
            }
        }
        return [new SourceFetchResult(leader.Label, leader.Fetcher.Spec.Kind, users, outcome, null, recorder.Warnings), .. failures];
    }

    /// <summary>
    /// Checks out every source of <paramref name="info"/> into <c>&lt;srcDir&gt;/&lt;source name&gt;</c> (created
    /// here, must not exist or be empty), going to the network only for what the caches lack.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, FetchOutcome>> CheckoutAsync(BuildInfo info, string srcDir,
        IProgress<FetchEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var outcomes = new Dictionary<string, FetchOutcome>(StringComparer.Ordinal);
        foreach (var spec in info.Sources)
        {
            var directory = Path.Combine(srcDir, spec.Name);
            Directory.CreateDirectory(directory);
            if (Directory.EnumerateFileSystemEntries(directory).Any())
                throw new InvalidOperationException($"{directory} must be empty before a checkout.");
            var fetcher = fetchers.Create(info, spec);
            var cacheFolder = spec is GitLocalSource ? null : fetchers.CacheFolder(info.Name, spec.Name);
            outcomes[spec.Name] = await LockedAsync(cacheFolder, () => fetcher.CheckoutAsync(directory, progress, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        }
        return outcomes;
    }

    private async Task<T> LockedAsync<T>(string? cacheFolder, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        if (cacheFolder is null) return await work().ConfigureAwait(false);
        var gate = _folderLocks.GetOrAdd(cacheFolder, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The semaphore orders this process's tasks; the file lock orders other processes using the same cache.
            using var held = await Store.FileLock.AcquireAsync(cacheFolder.TrimEnd('/') + ".lock", cancellationToken).ConfigureAwait(false);
            return await work().ConfigureAwait(false);
        }
        finally { gate.Release(); }
    }

    /// <summary>Forwards events and keeps the warnings for the summary.</summary>
    private sealed class WarningRecorder(IProgress<FetchEvent>? inner) : IProgress<FetchEvent>
    {
        private readonly ConcurrentQueue<string> _warnings = new();

        public IReadOnlyList<string> Warnings => _warnings.ToList();

        public void Report(FetchEvent value)
        {
            if (value is FetchWarning w) _warnings.Enqueue(w.Message);
            inner?.Report(value);
        }
    }
}
