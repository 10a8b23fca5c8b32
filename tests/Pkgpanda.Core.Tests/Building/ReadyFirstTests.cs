using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;
using Pkgpanda.Core.Tests.Sources;

namespace Pkgpanda.Core.Tests.Building;

public class ReadyFirstTests
{
    [Fact]
    public async Task A_container_made_ahead_waits_while_a_ready_package_prepares_and_goes_once_it_is_done()
    {
        var order = new ReadyFirst();
        var undecided = new TaskCompletionSource<bool>();
        var preparing = order.Preparing();

        var ahead = order.WaitTurnAsync(undecided.Task, CancellationToken.None);
        await Task.Delay(100);
        ahead.IsCompleted.ShouldBeFalse("a ready package is still preparing");

        preparing.Dispose();
        await ahead.WaitAsync(TimeSpan.FromSeconds(5));
        await order.WaitTurnAsync(undecided.Task, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_package_that_becomes_ready_while_it_waits_goes_at_once()
    {
        var order = new ReadyFirst();
        using var preparing = order.Preparing();
        var requires = new TaskCompletionSource<bool>();

        var ahead = order.WaitTurnAsync(requires.Task, CancellationToken.None);
        ahead.IsCompleted.ShouldBeFalse();
        requires.SetResult(true);

        await ahead.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Waiting_ends_with_the_run_s_cancellation_and_a_scope_counts_once()
    {
        var order = new ReadyFirst();
        var first = order.Preparing();
        using var second = order.Preparing();
        first.Dispose();
        first.Dispose();
        using var cancel = new CancellationTokenSource();

        var ahead = order.WaitTurnAsync(new TaskCompletionSource<bool>().Task, cancel.Token);
        await Task.Delay(50);
        ahead.IsCompleted.ShouldBeFalse("the second ready package still prepares, however often the first said it was done");
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(ahead.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [DockerFact]
    public async Task On_a_real_engine_the_ready_packages_containers_are_made_before_one_made_ahead()
    {
        const string script = "#!/bin/sh\nsleep 1\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        using var tree = new TempTree().Package("a", script: script).Package("b", script: script).Package("c", script: script)
            .Package("d", "{\"requires\": [\"a\"]}", script: script);
        var clock = Stopwatch.StartNew();
        var asked = new ConcurrentDictionary<string, TimeSpan>();
        var made = new ConcurrentDictionary<string, TimeSpan>();
        var ended = new ConcurrentDictionary<string, TimeSpan>();

        await EngineTreeBuild.RunAsync(tree, docker => new ObservedRunner(docker,
            asked: (name, _) => asked[name] = clock.Elapsed, made: name => made[name] = clock.Elapsed, ended: name => ended[name] = clock.Elapsed), capacity: 4, parallel: 4);

        var ready = new[] { "a", "b", "c" }.Select(p => made[p]).Max();
        // d's require (a) was under way, not built: d's container is made ahead, once the ready ones are in place.
        asked["d"].ShouldBeGreaterThanOrEqualTo(ready, string.Join(", ", made.OrderBy(p => p.Key).Select(p => $"{p.Key} asked {asked[p.Key]} made {p.Value}")));
        made["d"].ShouldBeLessThan(ended["a"], "made ahead, while a still built");
    }

    [DockerFact]
    public async Task A_ready_package_still_checking_out_its_sources_holds_back_no_container_made_ahead()
    {
        using var server = new TestHttpServer();
        var payload = "the sources of a\n"u8.ToArray();
        server.Script("a.txt", new TestHttpServer.Body(payload));
        var sha1 = Convert.ToHexStringLower(SHA1.HashData(payload));
        const string quick = "#!/bin/sh\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        const string slow = "#!/bin/sh\nsleep 4\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        using var tree = new TempTree()
            .Package("a", $"{{\"single_source\": {{\"kind\": \"url\", \"url\": \"{server.Url("a.txt")}\", \"sha1\": \"{sha1}\"}}}}", script: quick)
            .Package("b", script: slow)
            .Package("c", "{\"requires\": [\"b\"]}", script: quick);
        // a's checkout waits for its source cache folder, held here as another run on this machine would hold it.
        var folder = new SourceFetchers(PackageStore.Load(tree.Root).CacheDir).CacheFolder("a", "a");
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        var held = await FileLock.AcquireAsync(folder + ".lock", CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var made = new ConcurrentDictionary<string, TimeSpan>();
        var ended = new ConcurrentDictionary<string, TimeSpan>();
        try
        {
            var build = EngineTreeBuild.RunAsync(tree, docker => new ObservedRunner(docker,
                made: name => made[name] = clock.Elapsed, ended: name => ended[name] = clock.Elapsed), capacity: 4, parallel: 4);
            // c's require b runs for seconds: c's container is made ahead meanwhile, though a (ready) is not prepared yet.
            while (!made.ContainsKey("c") && !ended.ContainsKey("b") && !build.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(50);
            made.ContainsKey("a").ShouldBeFalse("a's checkout still waits for its source folder");
            held.Dispose();
            await build;
        }
        finally { held.Dispose(); }

        made["c"].ShouldBeLessThan(ended["b"], "c's container was made ahead, while b still built and a still checked out its sources");
        made["a"].ShouldBeGreaterThan(made["c"]);
        server.Hits("a.txt").ShouldBe(1);
    }
}
