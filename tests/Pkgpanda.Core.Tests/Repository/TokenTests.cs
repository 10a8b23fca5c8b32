using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>The bearer token: sent, accepted or refused with a clear error, and never shown.</summary>
public sealed class TokenTests
{
    [NginxFact]
    public async Task The_right_token_is_accepted_for_publishing_and_downloading()
    {
        using var repo = SharedRepository.Create(SharedRepository.Http, withToken: true);
        using var a = new Machine();
        using var b = new Machine();
        var mesos = a.AddPackage("mesos");
        using var repository = repo.Open();

        await new Publisher(repository, repo.Sink).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None);
        (await new PackageDownloader(repository, b.Cache, repo.Sink).TryDownloadAsync(mesos, CancellationToken.None)).ShouldBeTrue();

        b.Bytes(mesos).ShouldBe(a.Bytes(mesos));
        repo.Events.ShouldAllBe(e => !e.ToString().Contains(NginxServer.Token));
    }

    [NginxFact]
    public async Task A_wrong_token_is_refused_with_an_error_naming_the_url_but_not_the_token()
    {
        const string wrong = "wrong-token-1234";
        using var repo = SharedRepository.Create(SharedRepository.Http, withToken: true);
        using var a = new Machine();
        var mesos = a.AddPackage("mesos");
        using var repository = repo.Open(token: wrong);

        var publish = await Should.ThrowAsync<BuildError>(() => new Publisher(repository, repo.Sink).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None));
        var download = await Should.ThrowAsync<BuildError>(() => new PackageDownloader(repository, a.Cache, repo.Sink).TryDownloadAsync(mesos with { Version = "other" }, CancellationToken.None));

        publish.Message.ShouldContain($"The repository {repo.Url} refused looking up {RepositoryLayout.Package(mesos)}: 401 Unauthorized. The token was not accepted: check PackageRepository.Open(token).");
        download.Message.ShouldBe($"The repository {repo.Url} refused downloading packages/mesos/mesos--other.tar.xz: 401 Unauthorized. The token was not accepted: check PackageRepository.Open(token).");
        foreach (var text in new[] { publish.ToString(), download.ToString() }.Concat(repo.Events.Select(e => e.ToString())))
        {
            text.ShouldNotContain(wrong);
            text.ShouldNotContain(NginxServer.Token);
        }
        repo.Objects().ShouldBeEmpty();
    }

    [NginxFact]
    public async Task No_token_for_a_protected_repository_says_one_is_needed()
    {
        using var repo = SharedRepository.Create(SharedRepository.Http, withToken: true);
        using var b = new Machine();
        using var repository = PackageRepository.Open(repo.Url, token: null, repo.Options());

        var error = await Should.ThrowAsync<BuildError>(() => new PackageDownloader(repository, b.Cache).TryDownloadAsync(new("mesos", "1"), CancellationToken.None));

        error.Message.ShouldEndWith("401 Unauthorized. It needs a token (PackageRepository.Open(token)).");
    }

    [Fact]
    public async Task A_token_is_scrubbed_from_messages_of_a_repository_that_does_not_answer()
    {
        // Nothing listens on this port; the token appears in the url's path, as a careless user may put it there.
        const string token = "tok-in-the-path";
        var port = FreePort();
        var events = new List<RepositoryEvent>();
        using var repository = PackageRepository.Open($"http://127.0.0.1:{port}/{token}/", token,
            new RepositoryOptions { Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(5), Events = new Collect(events) });

        var error = await Should.ThrowAsync<RepositoryUnavailableException>(() => repository.ExistsAsync("packages/x/x--1.tar.xz", CancellationToken.None));

        error.Message.ShouldContain($"http://127.0.0.1:{port}/***/");
        error.Message.ShouldNotContain(token);
        repository.Url.ShouldNotContain(token);
        events.ShouldNotBeEmpty();
        events.ShouldAllBe(e => !e.ToString().Contains(token));
    }

    [Fact]
    public void Credentials_in_the_url_are_refused_without_being_repeated()
    {
        var error = Should.Throw<BuildError>(() => PackageRepository.Open("http://user:hunter2@127.0.0.1:8080/repo/"));

        error.Message.ShouldBe("The repository url http://127.0.0.1:8080/repo/ carries credentials; pass a token instead (PackageRepository.Open(token)).");
    }

    internal static int FreePort()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private sealed class Collect(List<RepositoryEvent> events) : IProgress<RepositoryEvent>
    {
        public void Report(RepositoryEvent value)
        {
            lock (events) events.Add(value);
        }
    }
}
