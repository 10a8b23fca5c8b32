using System.Collections.Concurrent;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Building;

public class BuildLockTests
{
    [DockerFact]
    public async Task A_package_another_run_is_building_is_waited_for_and_the_wait_is_said()
    {
        const string script = "#!/bin/sh\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        using var tree = new TempTree().Package("a", script: script);
        FileLock? held = null;
        string? lockPath = null;
        var messages = new ConcurrentQueue<string>();
        try
        {
            var build = EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 1, parallel: 1,
                before: (plans, cache) =>
                {
                    // As another run on this machine would: it holds the build lock of a's id.
                    lockPath = cache.BuildLockPath(plans.Values.Single().Id);
                    held = FileLock.TryAcquire(lockPath);
                },
                events: new SyncProgress<BuildEvent>(e => { if (e is Message m) messages.Enqueue(m.Text); }));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (messages.IsEmpty && !build.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);

            messages.ShouldHaveSingleItem().ShouldBe($"Another run is building {Path.GetFileName(lockPath)![1..^".lock".Length]}; waiting for it to finish (it holds {lockPath}).");
            await Task.Delay(300);
            build.IsCompleted.ShouldBeFalse("it waits while the lock is held");
            held!.Dispose();
            (await build).Summary.Results.ShouldHaveSingleItem().Status.ShouldBe(PackageStatus.Built);
        }
        finally { held?.Dispose(); }
    }
}
