using LibGit2Sharp;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>A <c>git_local</c> source: the committed HEAD of a repository beside the package.</summary>
public sealed class GitLocalFetcher(GitLocalSource spec, BuildInfo info) : ISourceFetcher
{
    public SourceSpec Spec => spec;

    public string RepositoryPath => Path.GetFullPath(Path.Combine(info.PackageDir, spec.RelPath));

    /// <summary>HEAD's commit; refuses a work tree with uncommitted changes, since they would not be in the id.</summary>
    public IReadOnlyDictionary<string, object?> GetId()
    {
        using var repo = Open();
        var dirty = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = false, IncludeIgnored = false })
            .Where(e => e.State != FileStatus.Unaltered && e.State != FileStatus.Ignored)
            .Select(e => e.FilePath).Order(StringComparer.Ordinal).ToList();
        if (dirty.Count > 0)
            throw new BuildError(info.File, $"\"sources\".\"{spec.Name}\".\"rel_path\"", $"\"{spec.RelPath}\"",
                $"the repository {RepositoryPath} has uncommitted changes to {string.Join(", ", dirty.Take(10))}{(dirty.Count > 10 ? ", ..." : "")}. " +
                "Only committed work is built, so the id names exactly what went in. Commit them (temporarily if you like: " +
                "`git commit -am wip`, later `git reset HEAD~1`) and run again.");
        var head = repo.Head.Tip ?? throw new BuildError(info.File, $"\"sources\".\"{spec.Name}\".\"rel_path\"", $"\"{spec.RelPath}\"",
            $"the repository {RepositoryPath} has no commits yet.");
        return new Dictionary<string, object?> { ["commit"] = head.Sha };
    }

    private Repository Open()
    {
        try { return new Repository(RepositoryPath); }
        catch (RepositoryNotFoundException)
        {
            throw new BuildError(info.File, $"\"sources\".\"{spec.Name}\".\"rel_path\"", $"\"{spec.RelPath}\"",
                $"{RepositoryPath} is not a git repository.");
        }
    }

    public Task<FetchOutcome> CheckoutAsync(string directory, CancellationToken cancellationToken) =>
        throw new NotImplementedException("git_local checkout arrives with the Fetch issue");
}
