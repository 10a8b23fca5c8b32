using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Hashing;

/// <summary>
/// Computes the package ids of a whole graph without building anything: requires' ids come from this same
/// computation (pkgpanda read them from the <c>latest</c> files of earlier builds).
/// </summary>
/// <param name="hashes">Remembers the sha1 of build scripts and <c>extra/</c> files between runs (ids do not depend on it).</param>
public sealed class IdBuilder(SourceFetchers sources, IImageResolver images, string defaultImage, FileHashCache? hashes = null)
{
    public const string PkgpandaVersion = "0.2";

    /// <summary>Every id of the graph; the first package whose id cannot be computed stops it with that error.</summary>
    public async Task<IReadOnlyDictionary<PackageKey, PackagePlan>> ComputeAsync(PackageGraph graph, CancellationToken cancellationToken = default)
    {
        var result = await ComputeAvailableAsync(graph, cancellationToken).ConfigureAwait(false);
        if (result.Unresolved.Count > 0)
            throw new BuildError(result.Unresolved.First(u => u.Value.Cause is null).Value.Reason);
        return result.Plans;
    }

    /// <summary>
    /// Every id that can be computed: a package whose image is missing has none, and neither has anything that
    /// requires it (its id is part of theirs). Mistakes in the tree itself still throw.
    /// </summary>
    public async Task<IdResult> ComputeAvailableAsync(PackageGraph graph, CancellationToken cancellationToken = default)
    {
        var imageIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var imageErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in graph.Order.Select(k => graph[k].Docker ?? defaultImage).Distinct().Order(StringComparer.Ordinal))
        {
            try { imageIds[image] = await images.GetImageIdAsync(image, cancellationToken).ConfigureAwait(false); }
            catch (BuildError error) { imageErrors[image] = error.Message; }
        }

        var plans = new Dictionary<PackageKey, PackagePlan>();
        // Each id's own hash, as its dependants' "requires" hash it: once each, not once per dependant (a 600-package
        // tree of 20 layers hashed 180,000 strings for 600 ids).
        var idHashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var unresolved = new Dictionary<PackageKey, Unresolved>();
        foreach (var key in graph.Order)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = graph[key];
            if (imageErrors.TryGetValue(info.Docker ?? defaultImage, out var imageError))
            {
                // An image the buildinfo names: where it was named, too.
                unresolved[key] = new Unresolved(info.Docker is { } named ? $"{info.File}: \"docker\" = \"{named}\": {imageError}" : imageError, null);
                continue;
            }
            var blocked = graph.TransitiveRequiresOf(key).FirstOrDefault(unresolved.ContainsKey);
            if (blocked is not null)
            {
                unresolved[key] = new Unresolved($"{key} requires {blocked}, whose id cannot be computed.", blocked);
                continue;
            }
            var requireIds = graph.TransitiveRequiresOf(key).Select(k => plans[k].Id).Order().ToList();
            var plan = plans[key] = Plan(info, imageIds, requireIds, idHashes);
            idHashes[plan.Id.ToString()] = HashCheckout.Str(plan.Id.ToString());
        }
        return new IdResult(plans, unresolved);
    }

    private PackagePlan Plan(BuildInfo info, IReadOnlyDictionary<string, string> imageIds, IReadOnlyList<PackageId> requireIds,
        IReadOnlyDictionary<string, string> idHashes)
    {
        var sourceIds = new Dictionary<string, object?>(StringComparer.Ordinal);
        var sourcesWithIds = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var spec in info.Sources)
        {
            var id = sources.Create(info, spec).GetId();
            sourceIds[spec.Name] = id;
            var merged = new Dictionary<string, object?>(spec.Raw, StringComparer.Ordinal);
            foreach (var (k, v) in id) merged[k] = v;
            sourcesWithIds[spec.Name] = merged;
        }

        var script = info.BuildScriptPath;
        BuildScripts.CheckExists(info);

        var image = info.Docker ?? defaultImage;
        var buildIds = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = info.Name,
            ["variant"] = Variant.IdString(info.Variant),
            ["sources"] = sourceIds,
            ["build"] = hashes?.Sha1(script) ?? FolderHash.FileSha1(script),
            ["pkgpanda_version"] = PkgpandaVersion,
            ["docker"] = imageIds[image],
            ["environment"] = info.Environment.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal),
            ["state_directory"] = info.StateDirectory,
            ["requires"] = requireIds.Select(id => (object?)id.ToString()).ToList(),
        };
        string? extra = null;
        if (Directory.Exists(info.ExtraDir))
            buildIds["extra_source"] = extra = FolderHash.Of(info.ExtraDir, hashes);
        if (info.Username is not null) buildIds["username"] = info.Username;
        if (info.Group is not null) buildIds["group"] = info.Group;
        if (info.Sysctl is not null) buildIds["sysctl"] = info.Sysctl;
        // pkgpanda "takes" version_extra without removing it, so it stays part of the hashed map.
        if (info.VersionExtra is not null) buildIds["version_extra"] = info.VersionExtra;

        var hash = HashCheckout.Of(buildIds, idHashes);
        var version = info.VersionExtra is null ? hash : $"{info.VersionExtra}-{hash}";
        return new PackagePlan
        {
            Info = info, Id = new PackageId(info.Name, version), BuildIds = buildIds, SourcesWithIds = sourcesWithIds,
            ImageName = image, ImageId = imageIds[image], RequireIds = requireIds, ExtraSource = extra,
        };
    }
}
