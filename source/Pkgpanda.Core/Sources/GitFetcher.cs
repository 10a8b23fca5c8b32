using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>A <c>git</c> source: a commit of a remote repository, fetched through a bare mirror cache.</summary>
public sealed class GitFetcher(GitSource spec, string cacheFolder) : ISourceFetcher
{
    public SourceSpec Spec => spec;

    public string CacheFolder => cacheFolder;

    public IReadOnlyDictionary<string, object?> GetId() => new Dictionary<string, object?> { ["commit"] = spec.Ref };

    public Task<FetchOutcome> CheckoutAsync(string directory, CancellationToken cancellationToken) =>
        throw new NotImplementedException("git checkout arrives with the Fetch issue");
}
