using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Repositories;

/// <summary>
/// Where things live inside a repository: pkgpanda's cache layout, so a repository is also a valid pkgpanda
/// <c>--repository-url</c>. Every path is checked, so an id can never address a file outside the repository.
/// </summary>
internal static class RepositoryLayout
{
    public const string SidecarSuffix = ".sha256";

    public static string Package(PackageId id) => $"packages/{id.Name}/{id}.tar.xz";

    public static string Bootstrap(string bootstrapId) => $"bootstrap/{CheckName(bootstrapId)}.bootstrap.tar.xz";

    public static string Active(string bootstrapId) => $"bootstrap/{CheckName(bootstrapId)}.active.json";

    public static string BootstrapLatest(string? variant) => $"bootstrap/{Variant.Prefix(variant)}bootstrap.latest";

    public static string CompleteLatest(string? variant) => $"complete/{Variant.Prefix(variant)}complete.latest.json";

    public static string Sidecar(string relativePath) => relativePath + SidecarSuffix;

    /// <summary>Refuses empty, absolute, dot and dot-dot segments, backslashes and control characters.</summary>
    public static string Check(string relativePath)
    {
        var segments = relativePath.Split('/');
        if (relativePath.Length == 0 || segments.Any(s => s is "" or "." or ".." || s.Any(c => c == '\\' || char.IsControl(c))))
            throw new ArgumentException($"Not a relative repository path: '{relativePath}'.", nameof(relativePath));
        return relativePath;
    }

    private static string CheckName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\') || name is "." or "..")
            throw new ArgumentException($"Not a file name: '{name}'.", nameof(name));
        return name;
    }
}
