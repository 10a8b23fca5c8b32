using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>One source of a package: its checkout id (no network) and how to place it in a build's src folder.</summary>
public interface ISourceFetcher
{
    SourceSpec Spec { get; }

    /// <summary>The id that goes into build_ids (e.g. <c>{"commit": ...}</c>); computed without network.</summary>
    IReadOnlyDictionary<string, object?> GetId();

    /// <summary>
    /// What makes two sources the same download (kind, url and ref or checksums), so one fetch can serve every
    /// package that declares it.
    /// </summary>
    string ShareKey { get; }

    /// <summary>
    /// Brings the cache up to date (a git mirror is fetched even if it has the ref, to notice a moved
    /// <c>ref_origin</c>). With a <paramref name="twin"/> (same <see cref="ShareKey"/>, already fetched) the
    /// cache is filled from the twin's cache instead of the network.
    /// </summary>
    Task<FetchOutcome> FetchAsync(IProgress<FetchEvent>? progress, CancellationToken cancellationToken, ISourceFetcher? twin = null);

    /// <summary>
    /// Places the source in <paramref name="directory"/> (which exists and is empty), using the cache and going
    /// to the network only for what the cache lacks.
    /// </summary>
    Task<FetchOutcome> CheckoutAsync(string directory, IProgress<FetchEvent>? progress, CancellationToken cancellationToken);
}

/// <summary>What a fetch did, for the summary.</summary>
public enum FetchOutcome
{
    /// <summary>Came over the network (a new download or a new mirror).</summary>
    Downloaded,
    /// <summary>An existing git mirror was brought up to date.</summary>
    Updated,
    /// <summary>The cache already held it; nothing was transferred.</summary>
    Reused,
    /// <summary>A git_local source: nothing to fetch.</summary>
    Local,
}
