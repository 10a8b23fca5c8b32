using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// <c>upstream.json</c>: one source whose checkout (at <c>cache/upstream/checkout</c>) brings a <c>packages/</c>
/// folder; its packages fill in whatever the local tree does not define. An upstream may not have an upstream.
/// </summary>
public static class Upstream
{
    public const string FileName = "upstream.json";

    /// <summary>
    /// Checks out the upstream of <paramref name="packagesDir"/> and returns its packages folder, for
    /// <see cref="PackageStore.Load"/>'s extra package folders; null when the tree has no upstream.json.
    /// </summary>
    public static async Task<string?> PrepareAsync(string packagesDir, FetchOptions? options = null,
        IProgress<FetchEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        packagesDir = Path.GetFullPath(packagesDir);
        var file = Path.Combine(packagesDir, FileName);
        if (!File.Exists(file)) return null;
        var shown = PackageStore.Shown(file);
        var spec = BuildInfoLoader.LoadSourceFile(file, shown, "upstream");

        var upstreamDir = Path.Combine(packagesDir, "cache", "upstream");
        var checkout = Path.Combine(upstreamDir, "checkout");
        using var fetchers = new SourceFetchers(Path.Combine(packagesDir, "cache"), options);
        var fetcher = fetchers.Create(spec, new SourceLocation(shown, "", packagesDir, upstreamDir, "upstream"));

        // Checked out beside the old checkout and swapped in, so a failed or killed run keeps the last good one.
        Directory.CreateDirectory(upstreamDir);
        var temp = Store.Temporary.Beside(checkout);
        Directory.CreateDirectory(temp);
        try
        {
            await fetcher.CheckoutAsync(temp, progress, cancellationToken).ConfigureAwait(false);
            if (File.Exists(Path.Combine(temp, "packages", FileName)))
                throw new BuildError($"{shown}: the upstream's packages/ has an {FileName} of its own; an upstream of an upstream is not supported.");
            if (!Directory.Exists(Path.Combine(temp, "packages")))
                throw new BuildError($"{shown}: the upstream has no packages/ folder at its top level, so it adds no packages.");
            if (Directory.Exists(checkout)) GitFetcher.ForceDelete(checkout);
            Directory.Move(temp, checkout);
        }
        finally
        {
            if (Directory.Exists(temp)) GitFetcher.ForceDelete(temp);
        }
        return Path.Combine(checkout, "packages");
    }
}
