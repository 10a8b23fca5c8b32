using System.Security.Cryptography;

namespace Pkgpanda.Core.Repositories;

/// <summary>
/// The <c>&lt;object&gt;.sha256</c> file published beside every object, in <c>sha256sum</c>'s format
/// (<c>"&lt;hex&gt;  &lt;file name&gt;\n"</c>) so <c>sha256sum -c</c> can check a download by hand.
/// </summary>
internal static class Sha256Sidecar
{
    public static string Format(string sha256, string relativePath) => $"{sha256}  {relativePath[(relativePath.LastIndexOf('/') + 1)..]}\n";

    /// <summary>The hex digest in a sidecar's text; null when the text is not a sidecar.</summary>
    public static string? Parse(string text)
    {
        var first = text.Trim().Split([' ', '\t', '\n'], 2)[0].ToLowerInvariant();
        return first.Length == 64 && first.All(Uri.IsHexDigit) ? first : null;
    }

    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(input, cancellationToken).ConfigureAwait(false));
    }
}
