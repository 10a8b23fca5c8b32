using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// A <c>url</c> or <c>url_extract</c> source: a download kept in the cache folder under the url's base name (as
/// pkgpanda names it). A file reaches that name only after its sums matched, so a cached file is trusted and
/// never downloaded again; a download that does not match is kept as <c>&lt;file&gt;.corrupt</c> for inspection.
/// </summary>
internal sealed class UrlFetcher(UrlSource spec, SourceLocation location, HttpClient http, FetchOptions options) : ISourceFetcher
{
    public SourceSpec Spec => spec;

    public string CacheFolder => location.CacheFolder;

    private string Url => spec.Url.Trim();

    /// <summary>The base name of the url, as pkgpanda names the cached file and the file placed in src.</summary>
    public string FileName
    {
        get
        {
            var cut = Url.IndexOf("://", StringComparison.Ordinal);
            var name = Path.GetFileName(cut < 0 ? Url : Url[(cut + 3)..]);
            return name.Length == 0 || name is "." or ".."
                ? throw Error("the url must end in a file name; it names the downloaded file.")
                : name;
        }
    }

    public string CacheFile => Path.Combine(location.CacheFolder, FileName);

    public string ShareKey => $"url\n{Url}\n{spec.Sha1}\n{spec.Sha256}";

    /// <summary>pkgpanda's id is the sha1; a source verified by sha256 alone is identified by that.</summary>
    public IReadOnlyDictionary<string, object?> GetId() => spec.Sha1 is not null
        ? new Dictionary<string, object?> { ["downloaded_sha1"] = spec.Sha1 }
        : new Dictionary<string, object?> { ["downloaded_sha256"] = spec.Sha256 };

    /// <summary>Brings the file into the cache; an archive is then read through and checked entry by entry, so a green Fetch means Build can extract it.</summary>
    public async Task<FetchOutcome> FetchAsync(IProgress<FetchEvent>? progress, CancellationToken cancellationToken, ISourceFetcher? twin = null)
    {
        var outcome = await EnsureCachedAsync(progress, cancellationToken, twin).ConfigureAwait(false);
        if (spec.Extract)
            await Task.Run(() => ArchiveExtractor.Verify(CacheFile, ArchiveShownAs, cancellationToken), cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private string ArchiveShownAs => $"{location.File}: {location.Field("url")} = \"{Url}\" (archive {Store.PackageStore.Shown(CacheFile)})";

    private async Task<FetchOutcome> EnsureCachedAsync(IProgress<FetchEvent>? progress, CancellationToken cancellationToken, ISourceFetcher? twin)
    {
        progress?.Report(new FetchStarted(location.Label, spec.Kind, Url));
        if (await IsCachedAsync(progress, cancellationToken).ConfigureAwait(false)) return FetchOutcome.Reused;
        if (twin is UrlFetcher other && File.Exists(other.CacheFile))
        {
            // The twin's file was verified against the same sums; copying it spares the network.
            await StoreAsync(other.CacheFile, "file://" + other.CacheFile, progress, cancellationToken).ConfigureAwait(false);
            return FetchOutcome.Reused;
        }
        await StoreAsync(null, Url, progress, cancellationToken).ConfigureAwait(false);
        return FetchOutcome.Downloaded;
    }

    public async Task<FetchOutcome> CheckoutAsync(string directory, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        var outcome = await EnsureCachedAsync(progress, cancellationToken, twin: null).ConfigureAwait(false);
        if (spec.Extract)
            await Task.Run(() => ArchiveExtractor.Extract(CacheFile, directory, ArchiveShownAs, cancellationToken), cancellationToken).ConfigureAwait(false);
        else
            File.Copy(CacheFile, Path.Combine(directory, FileName));
        return outcome;
    }

    private async Task<bool> IsCachedAsync(IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(CacheFile)) return false;
        var sums = await Checksums.OfFileAsync(CacheFile, cancellationToken).ConfigureAwait(false);
        if (sums.Mismatch(spec.Sha1, spec.Sha256) is not { } wrong) return true;
        // Verified when stored, so the expected sums changed (a new release under the same name): fetch again.
        File.Move(CacheFile, CacheFile + ".corrupt", overwrite: true);
        progress?.Report(new FetchWarning(location.Label, $"the cached {CacheFile} does not match the sums ({wrong}); downloading it again."));
        return false;
    }

    private async Task StoreAsync(string? localCopy, string from, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(location.CacheFolder);
        // A unique temporary name: concurrent or killed runs never see (or block on) a half-written file.
        var temp = Store.Temporary.Beside(CacheFile);
        try
        {
            var downloader = new Downloader(http, options);
            var sums = await downloader.DownloadAsync(from, location.BaseDir, temp, location.Label, Error, localCopy is null ? progress : null, cancellationToken)
                .ConfigureAwait(false);
            if (sums.Mismatch(spec.Sha1, spec.Sha256) is { } wrong)
            {
                var corrupt = CacheFile + ".corrupt";
                File.Move(temp, corrupt, overwrite: true);
                throw Error($"the download does not match: {wrong}. Url: {Url}. The file was kept as {corrupt}; " +
                            "fix the url or the sums in the buildinfo.");
            }
            File.Move(temp, CacheFile, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private BuildError Error(string problem) => new(location.File, location.Field("url"), $"\"{spec.Url}\"", problem);
}
