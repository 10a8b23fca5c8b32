namespace Pkgpanda.Core.Model;

/// <summary>A tree variant's <c>[variant.]treeinfo.json</c>: which packages and variants make up the tree.</summary>
public sealed record TreeInfo
{
    public string? TreeVariant { get; init; }
    public required string File { get; init; }
    public IReadOnlySet<string> Exclude { get; init; } = new HashSet<string>();
    public IReadOnlyDictionary<string, string?> Variants { get; init; } = new Dictionary<string, string?>();
    public IReadOnlyList<string> CorePackageList { get; init; } = [];
    public IReadOnlyList<string> BootstrapPackageList { get; init; } = [];

    public string? VariantOf(string package) => Variants.TryGetValue(package, out var v) ? v : null;
}
