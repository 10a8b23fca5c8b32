using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>A server that dies mid-upload: the publish fails clearly, nothing half-written is visible, a rerun finishes.</summary>
public sealed class InterruptedPublishTests
{
    private const int KillAfterBytes = 1 << 20;

    [NginxFact]
    public async Task A_server_killed_mid_upload_fails_the_publish_and_a_rerun_completes_it()
    {
        using var repo = SharedRepository.Create(SharedRepository.Http, withToken: true);
        var server = repo.Server!;
        using var a = new Machine();
        using var b = new Machine();
        var big = a.AddPackage("big", size: 16 << 20);
        var small = a.AddPackage("small");
        a.AddTree(null, [big, small]);
        var bigPath = RepositoryLayout.Package(big);
        long? killedAt = null;
        var events = new List<RepositoryEvent>();
        var sink = new Relay(e =>
        {
            lock (events) events.Add(e);
            if (e is TransferProgress { Upload: true } p && p.RelativePath == bigPath && p.Done >= KillAfterBytes && killedAt is null)
            {
                killedAt = p.Done;
                // The sender is held here, so the body is certainly incomplete; wait until nginx has begun writing it.
                WaitForPartialBody(server);
                server.Kill();
            }
        });
        var plan = PublishPlan.FromCache(a.Cache, [], [null]);

        BuildError error;
        using (var repository = PackageRepository.Open(repo.Url, repo.Token, repo.Options() with { Events = sink }))
            error = await Should.ThrowAsync<BuildError>(() => new Publisher(repository, sink, parallel: 2).PublishAsync(plan, CancellationToken.None));

        killedAt.ShouldNotBeNull();
        error.Message.ShouldStartWith($"Publishing to {server.PrivateUrl} failed; no latest/complete pointer was updated");
        error.Message.ShouldContain($"{bigPath}: The repository {server.PrivateUrl} did not answer uploading {bigPath}");
        error.Message.ShouldContain("run Publish again");
        // nginx received part of the body into its temporary file and never renamed it into place.
        Directory.EnumerateFiles(server.BodyTemp, "*", SearchOption.AllDirectories).ShouldNotBeEmpty();
        File.Exists(repo.StorageOf(bigPath)).ShouldBeFalse();
        File.Exists(repo.StorageOf(RepositoryLayout.CompleteLatest(null))).ShouldBeFalse();
        File.Exists(repo.StorageOf(RepositoryLayout.BootstrapLatest(null))).ShouldBeFalse();
        events.OfType<RepositoryWarning>().ShouldNotBeEmpty();

        server.Restart();
        PublishResult result;
        using (var repository = repo.Open())
            result = await new Publisher(repository, sink).PublishAsync(plan, CancellationToken.None);

        result.Uploaded.ShouldContain(bigPath);
        result.Pointers.ShouldBe(["bootstrap/bootstrap.latest", "complete/complete.latest.json"]);
        using (var repository = repo.Open())
            (await new PackageDownloader(repository, b.Cache, sink).TryDownloadAsync(big, CancellationToken.None)).ShouldBeTrue();
        b.Bytes(big).ShouldBe(a.Bytes(big));
        error.Message.ShouldNotContain(NginxServer.Token);
        lock (events) events.ShouldAllBe(e => !e.ToString().Contains(NginxServer.Token));
    }

    [NginxFact]
    public async Task Server_errors_are_retried_then_fail_the_publish_naming_the_status()
    {
        using var server = NginxServer.Start();
        using var a = new Machine();
        var mesos = a.AddPackage("mesos");
        var events = new List<RepositoryEvent>();
        using var repository = PackageRepository.Open(server.BrokenUrl, null,
            new RepositoryOptions { Attempts = 3, RetryDelay = TimeSpan.FromMilliseconds(5), Events = new Relay(events.Add) });

        var error = await Should.ThrowAsync<BuildError>(() => new Publisher(repository).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None));

        error.Message.ShouldContain($"The repository {server.BrokenUrl} did not answer looking up {RepositoryLayout.Package(mesos)}: the server answered 503 ");
        error.Message.ShouldContain("(tried 3 times).");
        events.OfType<RepositoryWarning>().Count().ShouldBe(2);
    }

    private static void WaitForPartialBody(NginxServer server)
    {
        // Bounds a broken server only; the test asserts on files, never on durations.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Directory.Exists(server.BodyTemp) || !Directory.EnumerateFiles(server.BodyTemp, "*", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 0))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("nginx never began writing the request body to " + server.BodyTemp);
            Thread.Sleep(10);
        }
    }

    private sealed class Relay(Action<RepositoryEvent> report) : IProgress<RepositoryEvent>
    {
        public void Report(RepositoryEvent value) => report(value);
    }
}
