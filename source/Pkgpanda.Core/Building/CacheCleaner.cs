using System.Text.RegularExpressions;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Building;

/// <summary>What <see cref="CacheCleaner"/> removed, and what it left because a running build holds it (with why).</summary>
public sealed record CleanResult(IReadOnlyList<string> Removed, IReadOnlyList<string> Kept);

/// <summary>
/// mkpanda's clean: removes the build scratch (<c>cache/tmp</c>), the kept build folders (<c>cache/failed</c>,
/// <c>cache/kept</c>) and the temporaries of interrupted writes; with <c>all</c>, the whole cache too (built packages,
/// bootstrap bundles, complete.latest.json, source caches). Never anything outside the cache: the package tree is
/// the user's. Safe beside a running build: when a run holds the cache (<see cref="PackageCache.RunLockPath"/>),
/// only what is provably abandoned goes (scratch of dead processes, folders of packages no one is building), and
/// <c>all</c> is refused, since the run may still need the packages it would delete.
/// </summary>
public static partial class CacheCleaner
{
    public static CleanResult Clean(PackageCache cache, bool all)
    {
        if (!Directory.Exists(cache.Root)) return new CleanResult([], []);
        using var exclusive = FileLock.TryAcquire(cache.RunLockPath);
        if (all && exclusive is null)
            throw new EnvironmentFault($"{PackageStore.Shown(cache.Root)}: a running build uses this cache, so cleaning all of it was refused and nothing was removed " +
                                       "(the build may still need the packages); run it again when the build has finished, or clean without --all.");
        var idle = exclusive is not null;
        var removed = new List<string>();
        var kept = new List<string>();
        void Remove(string path)
        {
            if (File.Exists(path)) File.Delete(path); else FileTree.Delete(path);
            removed.Add(PackageStore.Shown(path));
        }
        void Keep(string path, string why) => kept.Add($"{PackageStore.Shown(path)}: {why}");

        foreach (var dir in Entries(cache.ScratchFolder))
        {
            if (!idle && Scratch.OwnerOf(dir) is { } pid && LocalHost.IsAlive(pid)) Keep(dir, $"a running build (process {pid}) works in it");
            else Remove(dir);
        }
        foreach (var dir in Entries(cache.FailedFolder).Concat(Entries(cache.KeptFolder)))
        {
            var busy = false;
            using var held = idle ? null : LockBuildOf(cache, Path.GetFileName(dir), out busy);
            if (busy) Keep(dir, "a running build of this package may replace it");
            else Remove(dir);
        }
        foreach (var temporary in Temporaries(cache.Root, depth: 0))
        {
            var name = Path.GetFileName(temporary);
            if (idle || BuildLogTemporary().Match(name) is { Success: true } m && !LocalHost.IsAlive(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                Remove(temporary);
                continue;
            }
            using var held = PackTemporary().Match(name) is { Success: true } p ? LockBuildOf(cache, p.Groups[1].Value, out _) : null;
            if (held is not null) Remove(temporary);
            else Keep(temporary, "a running build may be writing it");
        }
        if (all)
            foreach (var entry in Entries(cache.Root).Where(e => e != cache.RunLockPath))
                Remove(entry);
        return new CleanResult(removed, kept);
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

    private static IEnumerable<string> Entries(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>
    /// Leftovers of writes that appear atomically, down to source caches (<c>packages/&lt;name&gt;/&lt;source&gt;/</c>);
    /// the scratch and kept folders are handled whole, and git mirrors and checkouts are not entered.
    /// </summary>
    private static IEnumerable<string> Temporaries(string folder, int depth)
    {
        foreach (var entry in Entries(folder))
        {
            var name = Path.GetFileName(entry);
            if (depth == 0 && name is "tmp" or "failed" or "kept") continue;
            if (AtomicTemporary().IsMatch(name) || FetchTemporary().IsMatch(name) || BuildLogTemporary().IsMatch(name)) yield return entry;
            else if (depth < 3 && Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null && !name.EndsWith(".git", StringComparison.Ordinal) && name != "checkout")
                foreach (var nested in Temporaries(entry, depth + 1)) yield return nested;
        }
    }

    /// <summary>AtomicFile, Unpacker, FolderRepository and the packer: <c>.&lt;name&gt;.&lt;guid&gt;.tmp</c>.</summary>
    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex AtomicTemporary();

    /// <summary>The packer's temporary tarball, written under the id's build lock: <c>.&lt;id&gt;.tar.xz.&lt;guid&gt;.tmp</c>.</summary>
    [GeneratedRegex(@"^\.(.+)\.tar\.xz\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex PackTemporary();

    /// <summary>Downloads, git mirrors and the upstream checkout: <c>&lt;name&gt;.tmp-&lt;guid&gt;</c>.</summary>
    [GeneratedRegex(@"^.+\.tmp-[0-9a-f]{32}$")]
    private static partial Regex FetchTemporary();

    /// <summary>A build log being written, named after its process: <c>&lt;id&gt;.log.&lt;pid&gt;.tmp</c>.</summary>
    [GeneratedRegex(@"^.+\.(\d{1,9})\.tmp$")]
    private static partial Regex BuildLogTemporary();
}
