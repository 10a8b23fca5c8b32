namespace Pkgpanda.Core.Sources;

/// <summary>
/// Where a source is declared and kept: the file that declares it and the field path of the source inside it
/// (both for messages), the folder its relative paths start from (the package folder; for upstream.json the
/// packages folder), its cache folder, and the label used in progress events.
/// </summary>
public sealed record SourceLocation(string File, string FieldPrefix, string BaseDir, string CacheFolder, string Label)
{
    /// <summary>A key of the source as shown in messages, e.g. <c>"sources"."mesos"."ref"</c>.</summary>
    public string Field(string key) => FieldPrefix.Length == 0 ? $"\"{key}\"" : $"{FieldPrefix}.\"{key}\"";
}
