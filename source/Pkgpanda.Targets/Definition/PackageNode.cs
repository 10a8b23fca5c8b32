namespace Pkgpanda.Targets;

/// <summary>
/// One package of the build's current selection, as the engine sees it: a plan node whose dependencies are its
/// requires. The build class supplies these (<see cref="NukeBuild.PackageNodesAsync"/>); the engine knows nothing
/// of package trees, so it takes plain strings.
/// </summary>
/// <param name="Name">The package name.</param>
/// <param name="Variant">The variant, or null for the default variant.</param>
/// <param name="Requires">Keys (<see cref="Key"/>) of the packages this one directly requires.</param>
public sealed record PackageNode(string Name, string? Variant, IReadOnlyList<string> Requires)
{
    /// <summary>Unique within a selection: <c>mesos</c>, or <c>mesos (foobar)</c> for a variant.</summary>
    public string Key => Variant is null ? Name : $"{Name} ({Variant})";

    /// <summary>The package id (<c>name--version</c>) when it could be computed.</summary>
    public string? Id { get; init; }

    /// <summary>Why <see cref="Id"/> could not be computed (its first line); null when it was, or was not asked for.</summary>
    public string? IdError { get; init; }

    /// <summary>Whether the package with <see cref="Id"/> is already built; null when unknown.</summary>
    public bool? Cached { get; init; }

    /// <summary>The version part of the id, shortened for display.</summary>
    public string? ShortId
    {
        get
        {
            if (Id is null) return null;
            var separator = Id.IndexOf("--", StringComparison.Ordinal);
            var version = separator >= 0 ? Id[(separator + 2)..] : Id;
            return version.Length > 12 ? version[..12] : version;
        }
    }
}
