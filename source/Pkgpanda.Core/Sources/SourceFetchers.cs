using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// The one dispatch over source kinds: picks the fetcher for a source and gives it its cache folder. Owns the
/// HttpClient shared by all downloads unless <see cref="FetchOptions.Http"/> supplies one.
/// </summary>
public sealed class SourceFetchers : IDisposable
{
    private readonly string _cacheDir;
    private readonly FetchOptions _options;
    private readonly Lazy<HttpClient> _http;

    public SourceFetchers(string cacheDir, FetchOptions? options = null)
    {
        _cacheDir = cacheDir;
        _options = options ?? FetchOptions.Default;
        _http = new Lazy<HttpClient>(() => _options.Http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
    }

    public string CacheDir => _cacheDir;

    /// <summary>Where a package's source caches live: <c>cache/packages/&lt;name&gt;/&lt;source&gt;/</c>, as in pkgpanda.</summary>
    public string CacheFolder(string package, string source) => Path.Combine(_cacheDir, "packages", package, source);

    public ISourceFetcher Create(BuildInfo info, SourceSpec spec)
    {
        var location = new SourceLocation(info.File, info.SingleSource ? "\"single_source\"" : $"\"sources\".\"{spec.Name}\"", info.PackageDir,
            CacheFolder(info.Name, spec.Name), $"{info.Name}/{spec.Name}");
        return Create(spec, location);
    }

    /// <summary>A fetcher for a source declared elsewhere than a buildinfo (upstream.json).</summary>
    public ISourceFetcher Create(SourceSpec spec, SourceLocation location) => spec switch
    {
        GitSource git => new GitFetcher(git, location, _options.IdleTimeout),
        GitLocalSource local => new GitLocalFetcher(local, location, _options.GeneratedFiles),
        UrlSource url => new UrlFetcher(url, location, _http.Value, _options),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown source kind"),
    };

    public void Dispose()
    {
        if (_options.Http is null && _http.IsValueCreated) _http.Value.Dispose();
    }
}
