using System.Security.Cryptography;
using System.Text.Json;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// What a cached tarball was when it was written: its size, sha256 and modification time, kept beside it in
/// <c>&lt;id&gt;.tar.xz.record</c> (written atomically). A tarball truncated or altered since no longer matches, so it is
/// not mistaken for a built package. Checking is a stat and a compare; the file is read again only when its size or
/// modification time differs from the record (then the sha256 decides).
/// </summary>
internal sealed record TarballRecord(long Size, string Sha256, long ModifiedTicks)
{
    public static string PathFor(string tarball) => tarball + ".record";

    /// <summary>Hashes <paramref name="tarball"/> as it is now.</summary>
    public static TarballRecord Of(string tarball)
    {
        var info = new FileInfo(tarball);
        using var input = new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var sha = Convert.ToHexStringLower(SHA256.HashData(input));
        return new TarballRecord(info.Length, sha, info.LastWriteTimeUtc.Ticks);
    }

    /// <summary>The record beside <paramref name="tarball"/>; null when there is none or it cannot be read as one.</summary>
    public static TarballRecord? Read(string tarball)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(PathFor(tarball)));
            var root = doc.RootElement;
            return new TarballRecord(root.GetProperty("size").GetInt64(), root.GetProperty("sha256").GetString()!, root.GetProperty("mtime_ticks").GetInt64());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    public void Write(string tarball) =>
        AtomicFile.WriteAllText(PathFor(tarball), PlainJson.Pretty(new Dictionary<string, object?>
        {
            ["size"] = Size, ["sha256"] = Sha256, ["mtime_ticks"] = ModifiedTicks,
        }) + "\n");

    /// <summary>Whether the file's size and modification time are still the recorded ones (no read of the file).</summary>
    public bool StatMatches(FileInfo file) => file.Length == Size && file.LastWriteTimeUtc.Ticks == ModifiedTicks;
}
