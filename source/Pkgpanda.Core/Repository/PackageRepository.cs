namespace Pkgpanda.Core.Repositories;

/// <summary>
/// Opens the repository a <c>--repository-url</c> names: <c>http(s)://...</c>, <c>file://...</c> or a plain folder path.
/// </summary>
/// <remarks>Not called <c>Repository</c>: that name is LibGit2Sharp's, which the source fetchers use unqualified.</remarks>
public static class PackageRepository
{
    /// <summary>The environment variable a front end reads when no <c>--repository-token</c> is given.</summary>
    public const string TokenVariable = "PKGPANDA_REPOSITORY_TOKEN";

    public static IRepository Open(string url, string? token = null, RepositoryOptions? options = null)
    {
        options ??= new RepositoryOptions();
        return Parse(url, token) switch
        {
            ("http" or "https", { } web) => new HttpRepository(web, token, options),
            // Not LocalPath: for file://localhost/... .NET returns a UNC path, even on Unix.
            ("file", { } file) => new FolderRepository(Uri.UnescapeDataString(file.AbsolutePath), url),
            _ => new FolderRepository(Path.GetFullPath(url, options.BaseDirectory ?? Directory.GetCurrentDirectory())),
        };
    }

    /// <summary>Refuses, with <see cref="Open"/>'s words, a url it would refuse, opening nothing (a front end checks its flag with it first).</summary>
    public static void Check(string url) => Parse(url, null);

    /// <summary>The url's scheme and parsed form (null for a plain folder path); throws for one no repository can be opened at.</summary>
    private static (string? Scheme, Uri? Uri) Parse(string url, string? token)
    {
        if (string.IsNullOrWhiteSpace(url)) throw new BuildError("The repository url is empty: pass http(s)://..., file://... or a folder path.");
        var scheme = SchemeOf(url);
        switch (scheme)
        {
            case "http" or "https":
                if (!Uri.TryCreate(url, UriKind.Absolute, out var web) || string.IsNullOrEmpty(web.Host))
                    throw new BuildError($"The repository url '{Secret.Scrub(url, token)}' is not a valid {scheme} url.");
                return (scheme, web);
            case "file":
                if (!Uri.TryCreate(url, UriKind.Absolute, out var file) || file.Host is not ("" or "localhost"))
                    throw new BuildError($"The repository url '{url}' is not a local file url: write file:///absolute/path (or a plain folder path).");
                return (scheme, file);
            case null:
                return (null, null);
            default:
                throw new BuildError($"The repository url '{Secret.Scrub(url, token)}' uses '{scheme}:', which is not supported: use http(s)://..., file://... or a folder path.");
        }
    }

    /// <summary>The url's scheme in lower case, or null for a plain path (a Windows drive letter is not a scheme).</summary>
    private static string? SchemeOf(string url)
    {
        var colon = url.IndexOf(':');
        if (colon < 2) return null;
        var scheme = url[..colon];
        return scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') && char.IsAsciiLetter(scheme[0])
            ? scheme.ToLowerInvariant()
            : null;
    }
}
