using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Hashing;

/// <summary>
/// The cache of files' sha1 must never change an id: every change a user can make to a build script or an extra/
/// file is seen, and only unchanged files are answered from it. Each run opens the cache anew, as a new process does.
/// </summary>
public class FileHashCacheTests
{
    // Short, so a test need not wait two seconds before files count as settled; long enough for a coarse clock tick.
    private static readonly TimeSpan Racy = TimeSpan.FromMilliseconds(50);

    private static TempTree Tree() => new TempTree()
        .Package("tool")
        .File("tool/extra/a.txt", "alpha")
        .File("tool/extra/sub/b.txt", "beta");

    private static string CachePath(TempTree tree) => tree.PathOf("cache/file-hashes");

    /// <summary>The id with the cache (opened from its file, saved afterwards) and the id computed without it.</summary>
    private static async Task<(PackageId Cached, PackageId Fresh, FileHashCache Cache)> Ids(TempTree tree)
    {
        // Every file the test wrote is older than the racy window now, so the run may remember it.
        await Task.Delay(Racy * 2);
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        var cache = FileHashCache.Open(CachePath(tree), Racy);
        var cached = await new IdBuilder(new SourceFetchers(store.CacheDir), new FixedImages(), FixedImages.DefaultImage, cache).ComputeAsync(graph);
        cache.Save();
        var fresh = await new IdBuilder(new SourceFetchers(store.CacheDir), new FixedImages(), FixedImages.DefaultImage).ComputeAsync(graph);
        var key = new PackageKey("tool", null);
        return (cached[key].Id, fresh[key].Id, cache);
    }

    [Fact]
    public async Task Unchanged_files_are_answered_from_the_cache_with_the_same_id()
    {
        using var tree = Tree();
        var first = await Ids(tree);
        first.Cache.Reads.ShouldBe(3); // the build script and two extra/ files
        File.Exists(CachePath(tree)).ShouldBeTrue();

        var second = await Ids(tree);
        second.Cache.Hits.ShouldBe(3);
        second.Cache.Reads.ShouldBe(0);
        second.Cached.ShouldBe(first.Fresh);
        Directory.GetFiles(tree.PathOf("cache"), "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public async Task An_edit_a_same_size_edit_with_its_time_put_back_a_rename_and_a_new_file_each_change_the_id()
    {
        using var tree = Tree();
        var ids = new List<PackageId>();
        async Task Step(string what)
        {
            var (cached, fresh, cache) = await Ids(tree);
            cached.ShouldBe(fresh, what);
            ids.ShouldNotContain(cached, what);
            ids.Add(cached);
        }

        await Step("first run");
        File.WriteAllText(tree.PathOf("tool/extra/a.txt"), "alpha, longer");
        await Step("an edit");

        // Same size, same inode, and the modification time put back to the nanosecond: only the change time tells.
        var b = tree.PathOf("tool/extra/sub/b.txt");
        SameSizeEditKeepingMtime(tree, b, "BETA");
        await Step("a same-size edit with its mtime put back");

        File.Move(tree.PathOf("tool/extra/a.txt"), tree.PathOf("tool/extra/c.txt"));
        await Step("a rename");

        tree.File("tool/extra/sub/new.txt", "");
        await Step("a new file");

        var script = tree.PathOf("tool/build");
        SameSizeEditKeepingMtime(tree, script, File.ReadAllText(script).Replace("mkdir", "MKDIR"));
        await Step("a same-size edit of the build script with its mtime put back");
    }

    /// <summary>Rewrites a file in place with as many bytes, then restores its exact mtime as <c>touch -r</c> does.</summary>
    private static void SameSizeEditKeepingMtime(TempTree tree, string file, string content)
    {
        var reference = tree.PathOf("mtime-reference");
        Touch("-r", file, reference);
        var before = File.ReadAllText(file);
        content.Length.ShouldBe(before.Length);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write)) stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
        Touch("-r", reference, file);
        var (exit, output, _) = Packaging.Tools.Run("stat", "-c", "%Y.%y", file, reference);
        exit.ShouldBe(0);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count().ShouldBe(1, "the mtime is put back exactly");
    }

    private static void Touch(params string[] args) => Packaging.Tools.Run("touch", args).ExitCode.ShouldBe(0);

    [Fact]
    public async Task A_touched_file_with_the_same_bytes_keeps_its_id()
    {
        using var tree = Tree();
        var before = await Ids(tree);
        File.SetLastWriteTimeUtc(tree.PathOf("tool/extra/a.txt"), DateTime.UtcNow.AddMinutes(-5));
        var after = await Ids(tree);
        after.Cache.Reads.ShouldBe(1);
        after.Cached.ShouldBe(before.Cached);
    }

    [Fact]
    public async Task A_damaged_or_truncated_cache_file_is_ignored()
    {
        using var tree = Tree();
        var good = await Ids(tree);
        var lines = File.ReadAllLines(CachePath(tree));

        // A wrong sha1 in a file that lost its last line (a crash before the data reached the disk) is never used.
        File.WriteAllLines(CachePath(tree), lines[..^1].Select(l => l.Length > 40 && l[0] != 'p' ? new string('0', 40) + l[40..] : l));
        var truncated = await Ids(tree);
        truncated.Cache.Hits.ShouldBe(0);
        truncated.Cached.ShouldBe(good.Fresh);

        File.WriteAllText(CachePath(tree), "not a cache\n");
        (await Ids(tree)).Cached.ShouldBe(good.Fresh);
    }

    [Fact]
    public void A_file_changed_just_now_is_not_remembered()
    {
        using var tree = new TempTree().File("f.txt", "data");
        var cache = FileHashCache.Open(CachePath(tree), TimeSpan.FromMinutes(1));
        cache.Sha1(tree.PathOf("f.txt")).ShouldBe(FolderHash.FileSha1(tree.PathOf("f.txt")));
        cache.Save();
        File.Exists(CachePath(tree)).ShouldBeFalse();
    }
}
