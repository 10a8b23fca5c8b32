using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>A <c>url</c> or <c>url_extract</c> source: a verified download, optionally extracted.</summary>
public sealed class UrlFetcher(UrlSource spec, BuildInfo info, string cacheFolder) : ISourceFetcher
{
    public SourceSpec Spec => spec;

    public string CacheFolder => cacheFolder;

    public BuildInfo Package => info;

    /// <summary>pkgpanda's id is the sha1; a source verified by sha256 alone is identified by that.</summary>
    public IReadOnlyDictionary<string, object?> GetId() => spec.Sha1 is not null
        ? new Dictionary<string, object?> { ["downloaded_sha1"] = spec.Sha1 }
        : new Dictionary<string, object?> { ["downloaded_sha256"] = spec.Sha256 };

    public Task<FetchOutcome> CheckoutAsync(string directory, CancellationToken cancellationToken) =>
        throw new NotImplementedException("url checkout arrives with the Fetch issue");
}
