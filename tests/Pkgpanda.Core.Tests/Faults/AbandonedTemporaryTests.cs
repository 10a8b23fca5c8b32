using System.Diagnostics;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// Every kind of temporary a killed run leaves in the cache is swept by the next run, but only those of processes
/// that are gone: a concurrent run on the same cache keeps its own.
/// </summary>
public class AbandonedTemporaryTests
{
    private const string Guid32 = "0123456789abcdef0123456789abcdef";

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        return p.Id;
    }

    /// <summary>One temporary of each kind for <paramref name="pid"/>, as the cache's writers name them.</summary>
    private static string[] Temporaries(TempTree tree, int pid)
    {
        string[] files =
        [
            $"cache/packages/lib/.lib--1.tar.xz.{pid}.{Guid32}.tmp",        // a tarball being packed or downloaded
            $"cache/packages/lib/lib--1.log.{pid}.tmp",                      // a build log
            $"cache/packages/lib/.latest.{pid}.{Guid32}.tmp",                 // latest
            $"cache/packages/lib/.lib--1.tar.xz.record.{pid}.{Guid32}.tmp",  // a tarball's record
            $"cache/packages/lib/src/.lib-1.0.tar.gz.{pid}.{Guid32}.tmp",    // a source download
            $"cache/bootstrap/.abc.bootstrap.tar.xz.{pid}.{Guid32}.tmp",     // a bootstrap bundle
            $"cache/upstream/.cache.git.{pid}.{Guid32}.tmp",                 // an upstream's mirror
        ];
        foreach (var f in files) tree.File(f, "partial");
        tree.File($"cache/packages/lib/src/.cache.git.{pid}.{Guid32}.tmp/objects/pack/p.pack", "half a mirror");
        tree.File($"cache/tmp/lib--1.{pid}.{Guid32}/src/main.c", "scratch");
        return [.. files, $"cache/packages/lib/src/.cache.git.{pid}.{Guid32}.tmp", $"cache/tmp/lib--1.{pid}.{Guid32}"];
    }

    [Fact]
    public void The_temporaries_of_a_dead_process_are_swept_and_those_of_a_live_one_kept()
    {
        using var tree = new TempTree();
        tree.File("cache/packages/lib/lib--1.tar.xz", "a package").File("cache/packages/lib/latest", "lib--1")
            .File("cache/packages/lib/src/cache.git/objects/x.1234.tmp", "inside a mirror: not ours to judge");
        using var live = Process.Start(new ProcessStartInfo("sleep", "60"))!;
        try
        {
            var dead = Temporaries(tree, DeadPid());
            var alive = Temporaries(tree, live.Id);

            var removed = new PackageCache(tree.PathOf("cache")).RemoveAbandoned();

            removed.ShouldBe(dead.Length);
            dead.Where(p => Path.Exists(tree.PathOf(p))).ShouldBeEmpty();
            alive.Where(p => !Path.Exists(tree.PathOf(p))).ShouldBeEmpty();
            File.Exists(tree.PathOf("cache/packages/lib/lib--1.tar.xz")).ShouldBeTrue();
            File.Exists(tree.PathOf("cache/packages/lib/latest")).ShouldBeTrue();
            File.Exists(tree.PathOf("cache/packages/lib/src/cache.git/objects/x.1234.tmp")).ShouldBeTrue();
        }
        finally { live.Kill(); }
    }

    [Fact]
    public void A_run_that_must_exit_removes_its_own_temporaries()
    {
        using var tree = new TempTree();
        var own = Temporaries(tree, Environment.ProcessId);
        new PackageCache(tree.PathOf("cache")).RemoveAbandoned().ShouldBe(0, "a run never sweeps its own work by default");
        new PackageCache(tree.PathOf("cache")).RemoveAbandoned(pid => pid == Environment.ProcessId).ShouldBe(own.Length);
        own.Where(p => Path.Exists(tree.PathOf(p))).ShouldBeEmpty();
    }

    [Fact]
    public void The_writers_name_their_temporaries_so_that_the_sweep_knows_the_owner()
    {
        Temporary.OwnerOf(Path.GetFileName(Temporary.Beside("/cache/packages/lib/lib--1.tar.xz"))).ShouldBe(Environment.ProcessId);
        Temporary.OwnerOf("lib--1.log.4242.tmp").ShouldBe(4242);
        Temporary.OwnerOf("lib--1.tar.xz").ShouldBeNull();
        Temporary.OwnerOf("notes.tmp").ShouldBeNull();
    }
}
