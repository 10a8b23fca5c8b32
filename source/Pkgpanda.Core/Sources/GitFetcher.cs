using LibGit2Sharp;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// A <c>git</c> source: a commit of a remote repository, fetched through a bare mirror cache
/// (<c>&lt;cache folder&gt;/cache.git</c>, as pkgpanda names it) and checked out with its <c>.git</c>, since build
/// scripts run <c>git am</c> and similar.
/// </summary>
internal sealed class GitFetcher(GitSource spec, SourceLocation location, TimeSpan idleTimeout) : ISourceFetcher
{
    // Every ref of the remote, as `git clone --mirror` keeps them, so any branch, tag or other ref can be pinned.
    private static readonly string[] MirrorRefSpecs = ["+refs/*:refs/*"];

    public SourceSpec Spec => spec;

    public string CacheFolder => location.CacheFolder;

    public string MirrorPath => Path.Combine(location.CacheFolder, "cache.git");

    public string ShareKey => $"git\n{spec.Url}\n{spec.Ref}";

    public IReadOnlyDictionary<string, object?> GetId() => new Dictionary<string, object?> { ["commit"] = spec.Ref };

    public Task<FetchOutcome> FetchAsync(IProgress<FetchEvent>? progress, CancellationToken cancellationToken, ISourceFetcher? twin = null) =>
        Task.Run(() =>
        {
            var from = twin is GitFetcher g && Repository.IsValid(g.MirrorPath) ? g.MirrorPath : spec.Url;
            var outcome = UpdateMirror(from, progress, cancellationToken);
            RequireRef();
            WarnIfOriginMoved(progress);
            return twin is null ? outcome : FetchOutcome.Reused;
        }, cancellationToken);

    public Task<FetchOutcome> CheckoutAsync(string directory, IProgress<FetchEvent>? progress, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            // A mirror that already holds the commit is enough: builds of pinned commits need no network.
            var outcome = HasRef() ? FetchOutcome.Reused : UpdateMirror(spec.Url, progress, cancellationToken);
            RequireRef();
            WarnIfOriginMoved(progress);
            CheckoutInto(directory, cancellationToken);
            return outcome;
        }, cancellationToken);

    private FetchOutcome UpdateMirror(string from, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new FetchStarted(location.Label, spec.Kind, spec.Url));
        if (Repository.IsValid(MirrorPath))
        {
            try
            {
                using (var repo = new Repository(MirrorPath))
                {
                    repo.Network.Remotes.Update("origin", r => r.Url = spec.Url);
                    FetchInto(repo, from, progress, cancellationToken);
                }
                if (from != spec.Url || HasRef()) return FetchOutcome.Updated;
            }
            catch (Exception ex) when (ex is BuildError or LibGit2SharpException && !cancellationToken.IsCancellationRequested && from == spec.Url) { }
            // Fetched from upstream, and still no commit (or no clean fetch): the mirror may be damaged (a pack cut short,
            // objects deleted), which no fetch repairs. It is made anew, once, before the ref is called missing.
            progress?.Report(new FetchWarning(location.Label,
                $"The cached mirror {MirrorPath} of {spec.Url} does not give commit {spec.Ref}; it is made again from {spec.Url} in case it is damaged."));
        }

        // Built under a temporary name and renamed, so a killed run leaves no half mirror behind.
        Directory.CreateDirectory(location.CacheFolder);
        var temp = Store.Temporary.Beside(MirrorPath);
        try
        {
            Repository.Init(temp, isBare: true);
            using (var repo = new Repository(temp))
            {
                repo.Network.Remotes.Add("origin", spec.Url, MirrorRefSpecs[0]);
                FetchInto(repo, from, progress, cancellationToken);
            }
            Store.FileTree.Delete(MirrorPath);
            Directory.Move(temp, MirrorPath);
        }
        finally
        {
            if (Directory.Exists(temp)) ForceDelete(temp);
        }
        return FetchOutcome.Downloaded;
    }

    private void FetchInto(Repository repo, string from, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        GitServerTimeout.Apply(idleTimeout);
        var options = new LibGit2Sharp.FetchOptions
        {
            TagFetchMode = TagFetchMode.None,
            Prune = from == spec.Url,
            OnTransferProgress = p =>
            {
                progress?.Report(new DownloadProgress(location.Label, spec.Url, p.ReceivedBytes, null));
                return !cancellationToken.IsCancellationRequested;
            },
        };
        try
        {
            // A fill from a twin's mirror goes through a remote of its own, so origin keeps the real url.
            var remote = from == spec.Url ? "origin" : "twin";
            // The twin remote keeps git's default refspec: removing a remote deletes the refs its refspec maps to.
            if (remote == "twin")
            {
                if (repo.Network.Remotes[remote] is not null) repo.Network.Remotes.Remove(remote);
                repo.Network.Remotes.Add(remote, from);
            }
            Commands.Fetch(repo, remote, MirrorRefSpecs, options, null);
            if (remote == "twin") repo.Network.Remotes.Remove(remote);
        }
        catch (LibGit2SharpException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Error($"cannot fetch {spec.Url}: {LocalPathProblem(spec.Url) ?? Timeout(ex.Message)}");
        }
    }

    /// <summary>libgit2's "timed out" says nothing of how long: the limit is named.</summary>
    private string Timeout(string message) =>
        message.Contains("timed out", StringComparison.OrdinalIgnoreCase) ? $"{message.TrimEnd('.')} (no data from the server for {idleTimeout.TotalSeconds:0} s)" : message;

    /// <summary>
    /// A url without a scheme (nor git's <c>host:path</c> form) is a local path, where libgit2's own words
    /// ("unsupported URL protocol") tell nothing: say what is wrong with the path.
    /// </summary>
    private static string? LocalPathProblem(string url)
    {
        var path = url.StartsWith("file://", StringComparison.Ordinal) ? url["file://".Length..] : url;
        if (path.Contains("://", StringComparison.Ordinal) || (!path.StartsWith('/') && !path.StartsWith('.') && path.Contains(':'))) return null;
        if (!Path.IsPathRooted(path))
            return "a local repository is named by its absolute path (or file:///absolute/path); relative paths are not resolved.";
        if (!Directory.Exists(path))
            return $"there is no folder {path}.";
        return Repository.IsValid(path) ? null : $"{path} is not a git repository.";
    }

    private bool HasRef()
    {
        if (!Repository.IsValid(MirrorPath)) return false;
        try
        {
            using var repo = new Repository(MirrorPath);
            return repo.Lookup<Commit>(spec.Ref) is not null;
        }
        catch (LibGit2SharpException) { return false; } // a damaged pack or object: not there, as far as a build can tell
    }

    private void RequireRef()
    {
        if (!HasRef())
            throw new BuildError(location.File, location.Field("ref"), $"\"{spec.Ref}\"",
                $"commit {spec.Ref} is not in {spec.Url} (fetched all of its branches and tags). Check the ref, or push the commit.");
    }

    private void WarnIfOriginMoved(IProgress<FetchEvent>? progress)
    {
        using var repo = new Repository(MirrorPath);
        var origin = Resolve(repo, spec.RefOrigin);
        if (origin is null)
            progress?.Report(new FetchWarning(location.Label,
                $"{location.File}: \"ref_origin\" \"{spec.RefOrigin}\" is not a branch or tag of {spec.Url}; the pinned ref {spec.Ref} is used."));
        else if (origin.Sha != spec.Ref)
            progress?.Report(new FetchWarning(location.Label,
                $"{location.File}: \"ref_origin\" \"{spec.RefOrigin}\" of {spec.Url} now points at {origin.Sha}, not at the pinned ref {spec.Ref}; " +
                "update \"ref\" to build the newer code."));
    }

    private static Commit? Resolve(Repository repo, string name)
    {
        try { return repo.Lookup<Commit>(name + "^{commit}"); }
        catch (LibGit2SharpException) { return null; }
    }

    private void CheckoutInto(string directory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Repository.Clone(MirrorPath, directory, new CloneOptions { Checkout = false });
        using var repo = new Repository(directory);
        // A commit reachable only from refs a plain clone skips (e.g. refs/pull/*) is fetched by name.
        if (repo.Lookup<Commit>(spec.Ref) is null)
            Commands.Fetch(repo, "origin", ["+refs/*:refs/pkgpanda/*"], new LibGit2Sharp.FetchOptions { TagFetchMode = TagFetchMode.None }, null);
        var commit = repo.Lookup<Commit>(spec.Ref)!;
        Commands.Checkout(repo, commit, new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
    }

    private BuildError Error(string problem) => new(location.File, location.Field("git"), $"\"{spec.Url}\"", problem);

    internal static void ForceDelete(string path) => Store.FileTree.Delete(path);
}
