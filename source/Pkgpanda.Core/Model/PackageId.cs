namespace Pkgpanda.Core.Model;

/// <summary>A built package's identity: <c>name--version</c>, where version is the content hash.</summary>
public sealed record PackageId(string Name, string Version) : IComparable<PackageId>
{
    // The text is made once: ids are sorted, compared and hashed as text many times over (a 20-layer tree of 600
    // packages sorts 170,000 of them). Equality stays the two parts'; a copy with another part makes its own text.
    private string? _text;

    public string Name { get; init { field = value; _text = null; } } = Name;

    public string Version { get; init { field = value; _text = null; } } = Version;

    public bool Equals(PackageId? other) => other is not null && Name == other.Name && Version == other.Version;

    public override int GetHashCode() => HashCode.Combine(Name, Version);

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

    public override string ToString() => _text ??= $"{Name}--{Version}";

    public int CompareTo(PackageId? other) => string.CompareOrdinal(ToString(), other?.ToString());
}
