namespace Pkgpanda.Core.Model;

/// <summary>
/// A validated <c>buildinfo.json</c> (one variant of one package) with pkgpanda's defaults applied.
/// <see cref="Docker"/> is null when the file names no image: the default builder image is a run-time choice.
/// </summary>
public sealed record BuildInfo
{
    public required string Name { get; init; }
    public string? Variant { get; init; }
    /// <summary>The buildinfo file, as shown in messages.</summary>
    public required string File { get; init; }
    public required string PackageDir { get; init; }
    public IReadOnlyList<Require> Requires { get; init; } = [];
    /// <summary>Sources by name, ordered ordinally.</summary>
    public IReadOnlyList<SourceSpec> Sources { get; init; } = [];
    /// <summary>The one source was given as "single_source" (messages about it name that field).</summary>
    public bool SingleSource { get; init; }
    public string? Docker { get; init; }
    public required string BuildScript { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public bool StateDirectory { get; init; }
    public string? Username { get; init; }
    public string? Group { get; init; }
    /// <summary>service -> key -> value (string or integer), as plain values for hashing.</summary>
    public IReadOnlyDictionary<string, object?>? Sysctl { get; init; }
    public string? VersionExtra { get; init; }

    public PackageKey Key => new(Name, Variant);

    public string BuildScriptPath => Path.Combine(PackageDir, BuildScript);

    public string ExtraDir => Path.Combine(PackageDir, "extra");

    /// <summary>requires as written, because pkginfo.json copies them verbatim.</summary>
    public IReadOnlyList<object> RawRequires => Requires.Select(r => r.Raw).ToList();
}
