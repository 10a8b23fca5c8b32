using System.Text.Json;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Repositories;

/// <summary>One local file and where it goes in the repository.</summary>
public sealed record PublishItem(string RelativePath, string LocalFile);

/// <summary>
/// What a publish uploads. Objects are immutable and content-addressed (packages, bootstrap bundles); pointers
/// (<c>bootstrap.latest</c>, <c>complete.latest.json</c>) are mutable and go last, in order, once every object they
/// may name is in place.
/// </summary>
public sealed record PublishPlan(IReadOnlyList<PublishItem> Objects, IReadOnlyList<PublishItem> Pointers)
{
    /// <summary>
    /// The packages given plus, per tree variant, what its <c>complete.latest.json</c> names: the bootstrap bundle,
    /// its <c>active.json</c> and its packages; then that variant's pointers. Every file must be in the cache.
    /// </summary>
    public static PublishPlan FromCache(PackageCache cache, IEnumerable<PackageId> packages, IEnumerable<string?> treeVariants)
    {
        var ids = new SortedSet<PackageId>(packages);
        var objects = new List<PublishItem>();
        var pointers = new List<PublishItem>();
        foreach (var variant in treeVariants.Distinct().OrderBy(v => v, Comparer<string?>.Create(Variant.Compare)))
        {
            var completePath = RepositoryLayout.CompleteLatest(variant);
            var complete = Local(cache, completePath, $"the tree variant {Variant.Display(variant)} has not been packed; run the Pack target first");
            var (bootstrapId, listed) = ReadComplete(complete);
            ids.UnionWith(listed);
            objects.Add(new(RepositoryLayout.Bootstrap(bootstrapId), Local(cache, RepositoryLayout.Bootstrap(bootstrapId), $"{complete} names it")));
            objects.Add(new(RepositoryLayout.Active(bootstrapId), Local(cache, RepositoryLayout.Active(bootstrapId), $"{complete} names it")));
            var bootstrapLatest = RepositoryLayout.BootstrapLatest(variant);
            if (File.Exists(LocalPath(cache, bootstrapLatest))) pointers.Add(new(bootstrapLatest, LocalPath(cache, bootstrapLatest)));
            pointers.Add(new(completePath, complete));
        }
        objects.InsertRange(0, ids.Select(id => new PublishItem(RepositoryLayout.Package(id), Local(cache, RepositoryLayout.Package(id), "build it first"))));
        // complete.latest.json names bootstrap.latest's bundle too, so all complete pointers go after all bootstrap ones.
        return new PublishPlan(objects, pointers.OrderBy(p => p.RelativePath.StartsWith("complete/", StringComparison.Ordinal)).ToList());
    }

    private static string LocalPath(PackageCache cache, string relativePath) =>
        Path.Combine(cache.Root, RepositoryLayout.Check(relativePath));

    private static string Local(PackageCache cache, string relativePath, string hint)
    {
        var path = LocalPath(cache, relativePath);
        if (!File.Exists(path)) throw new BuildError($"Cannot publish {relativePath}: {path} does not exist ({hint}).");
        return path;
    }

    private static (string Bootstrap, IEnumerable<PackageId> Packages) ReadComplete(string file)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var bootstrap = json.RootElement.GetProperty("bootstrap").GetString()
                            ?? throw new BuildError(file, "\"bootstrap\"", "null", "expected the bootstrap id.");
            var packages = json.RootElement.GetProperty("packages").EnumerateArray()
                .Select(p => PackageId.Parse(p.GetString() ?? "")).ToList();
            return (bootstrap, packages);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BuildError($"{file}: not a complete.latest.json ({{\"bootstrap\": id, \"packages\": [ids]}}): {e.Message}");
        }
    }
}
