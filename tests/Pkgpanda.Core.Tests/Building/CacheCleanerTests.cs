using System.Diagnostics;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Building;

/// <summary>Clean on a real cache folder laid out as builds leave it, with and without a run holding it.</summary>
public sealed class CacheCleanerTests : IDisposable
{
    private const string Guid32 = "0123456789abcdef0123456789abcdef";
    private static readonly PackageId Mesos = new("mesos", "1111111111111111111111111111111111111111");
    private static readonly PackageId Curl = new("curl", "2222222222222222222222222222222222222222");

    private readonly TempTree _tree = new();
    private readonly PackageCache _cache;
    private readonly int _deadPid = DeadPid();

    public CacheCleanerTests()
    {
        _tree.Package("mesos").Package("curl").File("treeinfo.json", "{}");
        _cache = new PackageCache(_tree.PathOf("cache"));
        foreach (var file in new[]
        {
            // what Clean keeps without --all
            $"packages/mesos/{Mesos}.tar.xz", "packages/mesos/latest", $"packages/mesos/{Mesos}.log",
            $"packages/curl/{Curl}.tar.xz", "packages/curl/curl/cache.git/HEAD", "packages/curl/curl/curl-8.tar.gz",
            "bootstrap/abc.bootstrap.tar.xz", "complete/complete.latest.json",
            // what it removes (temporaries are named by Temporary: their owner's pid, then a unique part)
            $"tmp/{Mesos}.{_deadPid}.{Guid32}/src/main.c", $"failed/{Curl}/result/lib/partial", $"kept/{Mesos}/src/x",
            $"packages/mesos/.{Mesos}.tar.xz.{_deadPid}.{Guid32}.tmp", $"packages/mesos/.latest.{_deadPid}.{Guid32}.tmp",
            $"packages/mesos/{Mesos}.log.{_deadPid}.tmp", $"packages/curl/curl/.curl-8.tar.gz.{_deadPid}.{Guid32}.tmp",
            $"packages/curl/curl/.cache.git.{_deadPid}.{Guid32}.tmp/HEAD", $"upstream/.checkout.{_deadPid}.{Guid32}.tmp/packages/x",
        })
            _tree.File("cache/" + file, "x");
    }

    private string[] Present() =>
        Directory.EnumerateFiles(_tree.Root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(_tree.Root, p)).Where(p => !p.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    private static string[] TreeFiles => ["curl/build", "curl/buildinfo.json", "mesos/build", "mesos/buildinfo.json", "treeinfo.json"];

    [Fact]
    public void Clean_removes_scratch_kept_folders_and_temporaries_and_keeps_packages_sources_and_the_tree()
    {
        var result = CacheCleaner.Clean(_cache, all: false);
        result.Kept.ShouldBeEmpty();
        Present().ShouldBe(new[]
        {
            $"cache/bootstrap/abc.bootstrap.tar.xz", "cache/complete/complete.latest.json",
            $"cache/packages/curl/{Curl}.tar.xz", "cache/packages/curl/curl/cache.git/HEAD", "cache/packages/curl/curl/curl-8.tar.gz",
            $"cache/packages/mesos/{Mesos}.log", $"cache/packages/mesos/{Mesos}.tar.xz", "cache/packages/mesos/latest",
        }.Concat(TreeFiles).Order(StringComparer.Ordinal), ignoreOrder: false);
        result.Removed.Count.ShouldBe(3);
        result.Temporaries.ShouldBe(6);
    }

    [Fact]
    public async Task Clean_removes_the_build_locks_builds_left_and_keeps_the_run_lock()
    {
        foreach (var id in new[] { Mesos, Curl })
            using (await FileLock.AcquireAsync(_cache.BuildLockPath(id), CancellationToken.None)) { }
        using (await FileLock.AcquireSharedAsync(_cache.RunLockPath, CancellationToken.None)) { }
        File.Exists(_cache.BuildLockPath(Mesos)).ShouldBeTrue();

        var result = CacheCleaner.Clean(_cache, all: false);

        File.Exists(_cache.BuildLockPath(Mesos)).ShouldBeFalse();
        File.Exists(_cache.BuildLockPath(Curl)).ShouldBeFalse();
        File.Exists(_cache.RunLockPath).ShouldBeTrue();
        result.Temporaries.ShouldBe(8);
    }

    [Fact]
    public void Clean_all_removes_the_whole_cache_but_never_the_tree()
    {
        CacheCleaner.Clean(_cache, all: true).Kept.ShouldBeEmpty();
        Present().ShouldBe(TreeFiles);
        Directory.EnumerateFileSystemEntries(_cache.Root).Select(Path.GetFileName).ShouldBe([".lock"]);
    }

    [Fact]
    public async Task Beside_a_running_build_clean_all_is_refused_and_removes_nothing()
    {
        var before = Present();
        using (await FileLock.AcquireSharedAsync(_cache.RunLockPath, CancellationToken.None))
        {
            var fault = Should.Throw<EnvironmentFault>(() => CacheCleaner.Clean(_cache, all: true));
            fault.Message.ShouldContain("a running build uses this cache");
            fault.Message.ShouldContain("nothing was removed");
            Present().ShouldBe(before);
        }
        CacheCleaner.Clean(_cache, all: true);
        Present().ShouldBe(TreeFiles);
    }

    [Fact]
    public async Task Beside_a_running_build_clean_keeps_what_it_holds_and_removes_what_is_abandoned()
    {
        // This process stands for a live run: it holds the cache, has a scratch folder and temporaries, and is building mesos.
        var pid = Environment.ProcessId;
        var live = new[] { $"cache/tmp/{Mesos}.{pid}.{Guid32}/src/a.c", $"cache/packages/mesos/.{Mesos}.tar.xz.{pid}.{Guid32}.tmp", $"cache/packages/mesos/{Mesos}.log.{pid}.tmp" };
        foreach (var file in live) _tree.File(file, "x");
        _tree.File($"cache/failed/{Mesos}/src/y", "x");
        using var run = await FileLock.AcquireSharedAsync(_cache.RunLockPath, CancellationToken.None);
        using var building = await FileLock.AcquireAsync(_cache.BuildLockPath(Mesos), CancellationToken.None);

        var result = CacheCleaner.Clean(_cache, all: false);
        var present = Present();
        foreach (var file in live) present.ShouldContain(file);
        present.ShouldContain($"cache/kept/{Mesos}/src/x");
        present.ShouldContain($"cache/failed/{Mesos}/src/y");
        present.ShouldContain($"cache/packages/mesos/{Mesos}.tar.xz");
        // abandoned: a dead process's scratch and temporaries, the failed folder of a package no one builds
        present.ShouldNotContain(p => p.Contains($".{_deadPid}.", StringComparison.Ordinal));
        present.ShouldNotContain(p => p.StartsWith($"cache/failed/{Curl}", StringComparison.Ordinal));
        result.Temporaries.ShouldBe(6);
        File.Exists(_cache.BuildLockPath(Mesos)).ShouldBeTrue();
        result.Kept.ShouldContain(k => k.Contains($"process {pid}") && k.Contains("running build"));
        result.Kept.ShouldContain(k => k.Contains($"kept/{Mesos}") && k.Contains("a running build of this package"));
    }

    [Fact]
    public void A_missing_cache_is_nothing_to_clean_and_is_not_created()
    {
        using var empty = new TempTree();
        var result = CacheCleaner.Clean(new PackageCache(empty.PathOf("cache")), all: true);
        result.Removed.ShouldBeEmpty();
        Directory.Exists(empty.PathOf("cache")).ShouldBeFalse();
    }

    /// <summary>The pid of a process that has exited (pids are not reused that fast).</summary>
    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    public void Dispose() => _tree.Dispose();
}
