using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Hashing;

/// <summary>
/// Everything known about one package before it is built: its id and the inputs that produced it.
/// The files a build writes into the package (pkginfo.json, buildinfo.full.json) come from here.
/// </summary>
public sealed record PackagePlan
{
    public required BuildInfo Info { get; init; }
    public required PackageId Id { get; init; }
    /// <summary>The map whose hash_checkout is the version (pkgpanda's build_ids).</summary>
    public required IReadOnlyDictionary<string, object?> BuildIds { get; init; }
    /// <summary>Source name -> the source as written plus its checkout id.</summary>
    public required IReadOnlyDictionary<string, object?> SourcesWithIds { get; init; }
    public required string ImageName { get; init; }
    public required string ImageId { get; init; }
    /// <summary>Ids of all transitive requires, sorted.</summary>
    public required IReadOnlyList<PackageId> RequireIds { get; init; }
    public string? ExtraSource { get; init; }

    public PackageKey Key => Info.Key;

    /// <summary>pkginfo.json: what an installed package declares (requires as written, environment, ...).</summary>
    public Dictionary<string, object?> PkgInfo()
    {
        var pkginfo = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["requires"] = Info.RawRequires.ToList<object?>(),
            ["environment"] = Info.Environment.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal),
            ["state_directory"] = Info.StateDirectory,
        };
        if (Info.Username is not null) pkginfo["username"] = Info.Username;
        if (Info.Group is not null) pkginfo["group"] = Info.Group;
        if (Info.Sysctl is not null) pkginfo["sysctl"] = Info.Sysctl;
        return pkginfo;
    }

    /// <summary>buildinfo.full.json: exactly what went into the id, for audits and reproduction.</summary>
    public Dictionary<string, object?> FullBuildInfo()
    {
        var full = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["sources"] = SourcesWithIds,
            ["build_ids"] = BuildIds,
            ["package_version"] = Id.Version,
            ["name"] = Info.Name,
            ["variant"] = Info.Variant,
        };
        if (ExtraSource is not null) full["extra_source"] = ExtraSource;
        return full;
    }
}
