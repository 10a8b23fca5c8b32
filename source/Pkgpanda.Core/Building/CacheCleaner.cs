using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Building;

/// <summary>
/// What <see cref="CacheCleaner"/> removed (folders by path, temporaries counted), and what it left because a running
/// build holds it (with why).
/// </summary>
public sealed record CleanResult(IReadOnlyList<string> Removed, int Temporaries, IReadOnlyList<string> Kept);

/// <summary>
/// mkpanda's clean: removes the build scratch (<c>cache/tmp</c>), the kept build folders (<c>cache/failed</c>,
/// <c>cache/kept</c>), the temporaries of interrupted writes (<see cref="Temporary"/>) and, with the cache to
/// itself, the build locks every id built leaves (<see cref="PackageCache.BuildLockPath"/>); with <c>all</c>, the whole
/// cache too (built packages, bootstrap bundles, complete.latest.json, source caches, build times). Never anything
/// outside the cache: the package tree is the user's. Safe beside a running build: when a run holds the cache
/// (<see cref="PackageCache.RunLockPath"/>), only what is provably abandoned goes (scratch and temporaries of dead
/// processes, kept folders of packages no one is building), and <c>all</c> is refused, since the run may still need
/// the packages it would delete.
/// </summary>
public static class CacheCleaner
{
    public static CleanResult Clean(PackageCache cache, bool all)
    {
        if (!Directory.Exists(cache.Root)) return new CleanResult([], 0, []);
        using var exclusive = FileLock.TryAcquire(cache.RunLockPath);
        if (all && exclusive is null)
            throw new EnvironmentFault($"{PackageStore.Shown(cache.Root)}: a running build uses this cache, so cleaning all of it was refused and nothing was removed " +
                                       "(the build may still need the packages); run it again when the build has finished, or clean without all (CacheCleaner.Clean(all)).");
        // With the cache to itself, every leftover is abandoned; beside a run, only those of dead processes are.
        var idle = exclusive is not null;
        bool MayGo(int pid) => idle || Temporary.IsAbandoned(pid);
        var removed = new List<string>();
        var kept = new List<string>();
        void Remove(string path)
        {
            if (FileType.Of(path) == FileKind.Directory) FileTree.Delete(path); else File.Delete(path);
            removed.Add(PackageStore.Shown(path));
        }

        foreach (var dir in Entries(cache.ScratchFolder))
        {
            var owner = Scratch.OwnerOf(Path.GetFileName(dir));
            if (idle || owner is { } dead && MayGo(dead)) Remove(dir);
            else kept.Add($"{PackageStore.Shown(dir)}: " + (owner is { } pid ? $"a running build (process {pid}) works in it" : "not a scratch folder of a known process"));
        }
        foreach (var dir in Entries(cache.FailedFolder).Concat(Entries(cache.KeptFolder)))
        {
            var busy = false;
            using var held = idle ? null : LockBuildOf(cache, Path.GetFileName(dir), out busy);
            if (busy) kept.Add($"{PackageStore.Shown(dir)}: a running build of this package may replace it");
            else Remove(dir);
        }
        var temporaries = cache.RemoveAbandoned(MayGo);
        // Every id ever built left its empty build lock; with the cache to itself, no build holds one.
        if (idle) temporaries += RemoveBuildLocks(cache);
        if (all)
            foreach (var entry in Entries(cache.Root).Where(e => e != cache.RunLockPath))
                Remove(entry);
        return new CleanResult(removed, temporaries, kept);
    }

    /// <summary>Takes the build lock of the package id <paramref name="idText"/>; null (and <paramref name="busy"/>) while a build holds it.</summary>
    private static FileLock? LockBuildOf(PackageCache cache, string idText, out bool busy)
    {
        busy = false;
        if (!PackageId.TryParse(idText, out var id)) return null;
        var held = FileLock.TryAcquire(cache.BuildLockPath(id!));
        busy = held is null;
        return held;
    }

    private static int RemoveBuildLocks(PackageCache cache)
    {
        var removed = 0;
        foreach (var package in Entries(Path.Combine(cache.Root, "packages")).Where(p => FileType.Of(p) == FileKind.Directory))
            foreach (var file in Directory.EnumerateFiles(package, ".*.lock"))
            {
                var name = Path.GetFileName(file);
                if (!PackageId.TryParse(name[1..^".lock".Length], out var id) || file != cache.BuildLockPath(id!)) continue;
                File.Delete(file);
                removed++;
            }
        return removed;
    }

    private static List<string> Entries(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList() : [];
}
