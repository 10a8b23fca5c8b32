namespace Pkgpanda.Core.Model;

/// <summary>A built package's identity: <c>name--version</c>, where version is the content hash.</summary>
public sealed record PackageId(string Name, string Version) : IComparable<PackageId>
{
    public static PackageId Parse(string text)
    {
        if (!TryParse(text, out var id))
            throw new BuildError($"Invalid package id '{text}': expected <name>--<version> with name matching {PackageName.NamePattern} and version matching {PackageName.VersionPattern}.");
        return id!;
    }

    public static bool TryParse(string text, out PackageId? id)
    {
        id = null;
        if (PackageName.CountSeparators(text) != 1) return false;
        var at = text.IndexOf("--", StringComparison.Ordinal);
        var name = text[..at];
        var version = text[(at + 2)..];
        if (!PackageName.IsValid(name) || !PackageName.IsValidIdVersion(version)) return false;
        id = new PackageId(name, version);
        return true;
    }

    public override string ToString() => $"{Name}--{Version}";

    public int CompareTo(PackageId? other) => string.CompareOrdinal(ToString(), other?.ToString());
}
