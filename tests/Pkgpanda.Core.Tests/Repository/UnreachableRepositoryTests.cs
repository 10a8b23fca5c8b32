using Pkgpanda.Core.Model;
using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>A repository that does not answer is a warning, once; the packages are then built.</summary>
public sealed class UnreachableRepositoryTests
{
    [Fact]
    public async Task A_server_that_refuses_connections_is_one_warning_and_no_download()
    {
        var url = $"http://127.0.0.1:{TokenTests.FreePort()}/repo/";
        var events = new List<RepositoryEvent>();
        var sink = new Collect(events);
        using var b = new Machine();
        using var repository = PackageRepository.Open(url, null, new RepositoryOptions { Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(5) });
        var downloader = new PackageDownloader(repository, b.Cache, sink);

        (await downloader.TryDownloadAsync(new PackageId("mesos", "1"), CancellationToken.None)).ShouldBeFalse();
        (await downloader.TryDownloadAsync(new PackageId("java", "2"), CancellationToken.None)).ShouldBeFalse();

        var warning = events.OfType<RepositoryWarning>().ShouldHaveSingleItem();
        warning.Text.ShouldStartWith($"The repository {url} did not answer downloading packages/mesos/mesos--1.tar.xz: ");
        warning.Text.ShouldEndWith("(tried 2 times). Building instead; the repository is not asked again in this run.");
        b.Files().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_server_that_does_not_do_put_is_one_refusal_naming_what_it_must_accept_not_retried()
    {
        using var server = new Pkgpanda.Core.Tests.Sources.TestHttpServer();
        server.Script("repo/packages/a/a--1.tar.xz", new Pkgpanda.Core.Tests.Sources.TestHttpServer.Status(501));
        using var temp = new TempTree().File("a--1.tar.xz", "x");
        using var repository = PackageRepository.Open(server.Url("repo/"), null, new RepositoryOptions { Attempts = 4, RetryDelay = TimeSpan.FromMilliseconds(5) });

        var error = await Should.ThrowAsync<BuildError>(() => repository.UploadAsync("packages/a/a--1.tar.xz", temp.PathOf("a--1.tar.xz"), null, CancellationToken.None));

        error.Message.ShouldContain("refused uploading packages/a/a--1.tar.xz: 501");
        error.Message.ShouldContain("must accept PUT");
        server.Hits("repo/packages/a/a--1.tar.xz").ShouldBe(1);
    }

    [NginxFact]
    public async Task A_server_answering_503_is_retried_then_a_warning()
    {
        using var server = NginxServer.Start();
        var events = new List<RepositoryEvent>();
        var sink = new Collect(events);
        using var b = new Machine();
        using var repository = PackageRepository.Open(server.BrokenUrl, null, new RepositoryOptions { Attempts = 3, RetryDelay = TimeSpan.FromMilliseconds(5), Events = sink });

        (await new PackageDownloader(repository, b.Cache, sink).TryDownloadAsync(new PackageId("mesos", "1"), CancellationToken.None)).ShouldBeFalse();

        var warnings = events.OfType<RepositoryWarning>().Select(w => w.Text).ToList();
        warnings.Count.ShouldBe(3);
        warnings[0].ShouldStartWith("downloading packages/mesos/mesos--1.tar.xz failed (the server answered 503 ");
        warnings[0].ShouldEndWith("retrying (1/2).");
        warnings[2].ShouldContain("(tried 3 times). Building instead");
        b.Files().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_missing_repository_folder_is_a_warning_not_an_empty_repository()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pkgpanda-absent-" + Guid.NewGuid().ToString("N"));
        var events = new List<RepositoryEvent>();
        using var b = new Machine();
        using var repository = PackageRepository.Open(folder);

        (await new PackageDownloader(repository, b.Cache, new Collect(events)).TryDownloadAsync(new PackageId("mesos", "1"), CancellationToken.None)).ShouldBeFalse();

        events.OfType<RepositoryWarning>().ShouldHaveSingleItem().Text.ShouldStartWith($"The repository folder {folder} does not exist.");
    }

    private sealed class Collect(List<RepositoryEvent> events) : IProgress<RepositoryEvent>
    {
        public void Report(RepositoryEvent value)
        {
            lock (events) events.Add(value);
        }
    }
}
