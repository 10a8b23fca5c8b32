using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>The one dispatch over source kinds: picks the fetcher for a source and gives it its cache folder.</summary>
public sealed class SourceFetchers(string cacheDir)
{
    /// <summary>Where a package's source caches live: <c>cache/packages/&lt;name&gt;/&lt;source&gt;/</c>, as in pkgpanda.</summary>
    public string CacheFolder(string package, string source) => Path.Combine(cacheDir, "packages", package, source);

    public ISourceFetcher Create(BuildInfo info, SourceSpec spec) => spec switch
    {
        GitSource git => new GitFetcher(git, CacheFolder(info.Name, spec.Name)),
        GitLocalSource local => new GitLocalFetcher(local, info),
        UrlSource url => new UrlFetcher(url, info, CacheFolder(info.Name, spec.Name)),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown source kind"),
    };
}
