using LibGit2Sharp;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// A <c>git_local</c> source: the committed HEAD of a repository beside the package. Only committed work is
/// used, never the work tree, so the id (HEAD's commit) names exactly what goes into the build.
/// </summary>
internal sealed class GitLocalFetcher(GitLocalSource spec, SourceLocation location, IReadOnlyCollection<string>? generated = null) : ISourceFetcher
{
    public SourceSpec Spec => spec;

    public string RepositoryPath => Path.GetFullPath(Path.Combine(location.BaseDir, spec.RelPath));

    public string ShareKey => $"git_local\n{RepositoryPath}";

    /// <summary>HEAD's commit; refuses a work tree with uncommitted changes, since they would not be in the id.</summary>
    public IReadOnlyDictionary<string, object?> GetId() => new Dictionary<string, object?> { ["commit"] = CleanHead() };

    public Task<FetchOutcome> FetchAsync(IProgress<FetchEvent>? progress, CancellationToken cancellationToken, ISourceFetcher? twin = null) =>
        Task.Run(() =>
        {
            progress?.Report(new FetchStarted(location.Label, spec.Kind, RepositoryPath));
            CleanHead();
            return FetchOutcome.Local;
        }, cancellationToken);

    /// <summary>A clone of the repository at HEAD's commit, with its .git, like a <c>git</c> source.</summary>
    public Task<FetchOutcome> CheckoutAsync(string directory, IProgress<FetchEvent>? progress, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            progress?.Report(new FetchStarted(location.Label, spec.Kind, RepositoryPath));
            var head = CleanHead();
            cancellationToken.ThrowIfCancellationRequested();
            Repository.Clone(RepositoryPath, directory, new CloneOptions { Checkout = false });
            using var repo = new Repository(directory);
            // A detached HEAD is on no branch, so the clone lacks it: fetch it by name.
            if (repo.Lookup<Commit>(head) is null)
                Commands.Fetch(repo, "origin", ["+HEAD:refs/pkgpanda/head"], new LibGit2Sharp.FetchOptions { TagFetchMode = TagFetchMode.None }, null);
            var commit = repo.Lookup<Commit>(head)
                ?? throw Error($"HEAD's commit {head} could not be copied out of {RepositoryPath}.");
            Commands.Checkout(repo, commit, new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
            return FetchOutcome.Local;
        }, cancellationToken);

    private string CleanHead()
    {
        if (Path.IsPathRooted(spec.RelPath))
            throw Error("must be relative to the package folder, so the tree works wherever it is cloned.");
        using var repo = Open();
        var dirty = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = false, IncludeIgnored = false })
            .Where(e => e.State != FileStatus.Unaltered && e.State != FileStatus.Ignored)
            .Select(e => e.FilePath)
            // What the build program rewrites itself is not the user's work: the build reads HEAD's version of it.
            .Where(f => generated is not { Count: > 0 } || !generated.Contains(Path.GetFullPath(Path.Combine(repo.Info.WorkingDirectory, f))))
            .Order(StringComparer.Ordinal).ToList();
        if (dirty.Count > 0)
            throw Error($"the repository {RepositoryPath} has uncommitted changes to {string.Join(", ", dirty.Take(10))}{(dirty.Count > 10 ? ", ..." : "")}. " +
                "Only committed work is built, so the id names exactly what went in. Commit them (temporarily if you like: " +
                $"`git -C {RepositoryPath} commit -am wip`, build, then `git -C {RepositoryPath} reset --soft HEAD~1`) and run again.");
        var head = repo.Head.Tip ?? throw Error($"the repository {RepositoryPath} has no commits yet.");
        return head.Sha;
    }

    private Repository Open()
    {
        try { return new Repository(RepositoryPath); }
        catch (RepositoryNotFoundException)
        {
            throw Error($"{RepositoryPath} is not a git repository.");
        }
    }

    private BuildError Error(string problem) => new(location.File, location.Field("rel_path"), $"\"{spec.RelPath}\"", problem);
}
