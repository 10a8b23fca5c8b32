namespace Pkgpanda.Core.Model;

/// <summary>
/// One entry of <c>sources</c>, validated against the exact key set of its kind. <see cref="Raw"/> keeps the
/// user's keys so buildinfo.full.json can record them beside the checkout id.
/// </summary>
public abstract record SourceSpec(string Name, string Kind, IReadOnlyDictionary<string, object?> Raw);

internal sealed record GitSource(string Name, string Url, string Ref, string RefOrigin, IReadOnlyDictionary<string, object?> Raw)
    : SourceSpec(Name, "git", Raw);

internal sealed record GitLocalSource(string Name, string RelPath, IReadOnlyDictionary<string, object?> Raw)
    : SourceSpec(Name, "git_local", Raw);

/// <summary>A downloaded file (<c>url</c>) or archive (<c>url_extract</c>, when <see cref="Extract"/>).</summary>
internal sealed record UrlSource(string Name, string Url, string? Sha1, string? Sha256, bool Extract, IReadOnlyDictionary<string, object?> Raw)
    : SourceSpec(Name, Extract ? "url_extract" : "url", Raw);
