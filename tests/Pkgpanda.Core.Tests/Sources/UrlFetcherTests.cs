using System.Security.Cryptography;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Tests.Sources;

public sealed class UrlFetcherTests : IDisposable
{
    private static readonly FetchOptions FastRetries = new() { MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(10), ProgressStep = 1 << 16 };

    private readonly TempDir _dir = new();
    private readonly TestHttpServer _server = new();
    private readonly TestTree _tree;
    private readonly byte[] _payload = RandomNumberGenerator.GetBytes(300_000);
    private readonly string _sha1, _sha256;

    public UrlFetcherTests()
    {
        _tree = new TestTree(_dir["packages"]);
        _sha1 = Convert.ToHexStringLower(SHA1.HashData(_payload));
        _sha256 = Convert.ToHexStringLower(SHA256.HashData(_payload));
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    private UrlFetcher Fetcher(string url, string? sha1, string? sha256 = null)
    {
        _tree.WithSources("pkg", new Dictionary<string, object> { ["blob"] = TestTree.Url(url, sha1, sha256) });
        var info = _tree.Info("pkg");
        return (UrlFetcher)new SourceFetchers(_tree.CacheDir, FastRetries).Create(info, info.Sources[0]);
    }

    private string[] CacheFiles(UrlFetcher f) =>
        Directory.Exists(f.CacheFolder) ? Directory.GetFiles(f.CacheFolder).Select(f => Path.GetFileName(f)).Order().ToArray() : [];

    [Fact]
    public async Task Downloads_verifies_reports_progress_and_never_downloads_a_verified_file_again()
    {
        _server.Script("dl/blob-1.0.bin", new TestHttpServer.Body(_payload));
        var fetcher = Fetcher(_server.Url("dl/blob-1.0.bin"), _sha1, _sha256);
        var log = new EventLog();

        (await fetcher.FetchAsync(log, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        (await fetcher.FetchAsync(log, CancellationToken.None)).ShouldBe(FetchOutcome.Reused);

        _server.Hits("dl/blob-1.0.bin").ShouldBe(1);
        CacheFiles(fetcher).ShouldBe(["blob-1.0.bin"]);
        File.ReadAllBytes(fetcher.CacheFile).ShouldBe(_payload);
        var progress = log.Of<DownloadProgress>();
        progress.Count.ShouldBeGreaterThan(1);
        progress[^1].Bytes.ShouldBe(_payload.Length);
        progress[^1].Total.ShouldBe(_payload.Length);
    }

    [Fact]
    public async Task A_server_that_stops_sending_fails_the_attempt_after_the_idle_timeout_and_is_retried()
    {
        _server.Script("hang.bin", new TestHttpServer.Stall(_payload), new TestHttpServer.Body(_payload));
        _tree.WithSources("pkg", new Dictionary<string, object> { ["blob"] = TestTree.Url(_server.Url("hang.bin"), _sha1, null) });
        var info = _tree.Info("pkg");
        var options = FastRetries with { IdleTimeout = TimeSpan.FromSeconds(1) };
        var fetcher = (UrlFetcher)new SourceFetchers(_tree.CacheDir, options).Create(info, info.Sources[0]);
        var log = new EventLog();

        (await fetcher.FetchAsync(log, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60))).ShouldBe(FetchOutcome.Downloaded);
        log.Of<FetchRetrying>().Single().Reason.ShouldContain("no data from the server for 1 s");
        File.ReadAllBytes(fetcher.CacheFile).ShouldBe(_payload);
    }

    [Fact]
    public async Task A_redirect_loop_is_said_to_be_one()
    {
        _server.Script("loop.bin", new TestHttpServer.RedirectToSelf());
        var fetcher = Fetcher(_server.Url("loop.bin"), _sha1);
        var error = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None));
        error.Message.ShouldContain("the server still redirects after 50 redirects");
        error.Message.ShouldContain("a redirect loop");
    }

    [Fact]
    public async Task Retries_after_two_server_errors()
    {
        _server.Script("f.bin", new TestHttpServer.Status(500), new TestHttpServer.Status(503), new TestHttpServer.Body(_payload));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1);
        var log = new EventLog();

        (await fetcher.FetchAsync(log, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);

        _server.Hits("f.bin").ShouldBe(3);
        var retries = log.Of<FetchRetrying>();
        retries.Select(r => r.Attempt).ShouldBe([1, 2]);
        retries[1].Delay.ShouldBe(retries[0].Delay * 2);
        File.ReadAllBytes(fetcher.CacheFile).ShouldBe(_payload);
    }

    [Fact]
    public async Task Recovers_from_a_connection_dropped_half_way()
    {
        _server.Script("f.bin", new TestHttpServer.DropHalfway(_payload), new TestHttpServer.Body(_payload));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1);

        (await fetcher.FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        _server.Hits("f.bin").ShouldBe(2);
        CacheFiles(fetcher).ShouldBe(["f.bin"]);
    }

    [Fact]
    public async Task A_broken_download_goes_on_from_where_it_broke_when_the_server_offers_ranges()
    {
        // Three attempts allowed, and each connection breaks after 80 KB of the 300 KB: only going on from the break gets it.
        _server.Script("f.bin", new TestHttpServer.Ranged(_payload, 80_000));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1, _sha256);
        var log = new EventLog();

        (await fetcher.FetchAsync(log, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);

        File.ReadAllBytes(fetcher.CacheFile).ShouldBe(_payload);
        _server.RangesAsked.ShouldBe(["", "bytes=80000-", "bytes=160000-", "bytes=240000-"]);
        log.Of<FetchRetrying>()[0].Reason.ShouldContain("going on from byte 80000");
        CacheFiles(fetcher).ShouldBe(["f.bin"]);
    }

    [Fact]
    public async Task A_file_that_changed_between_attempts_is_downloaded_whole_again()
    {
        // The first version breaks half-way; the server then holds a new version (new ETag), so If-Range gets it whole.
        var second = RandomNumberGenerator.GetBytes(_payload.Length);
        _server.Script("f.bin", new TestHttpServer.Ranged(second, 150_000, "\"old\""), new TestHttpServer.Ranged(_payload, int.MaxValue, "\"new\""));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1, _sha256);

        (await fetcher.FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);

        File.ReadAllBytes(fetcher.CacheFile).ShouldBe(_payload);
        _server.RangesAsked.ShouldBe(["", "bytes=150000-"]);
    }

    [Fact]
    public async Task A_server_that_stalls_twice_without_getting_further_is_not_tried_again()
    {
        _server.Script("hang.bin", new TestHttpServer.Stall(_payload), new TestHttpServer.Stall(_payload), new TestHttpServer.Stall(_payload), new TestHttpServer.Body(_payload));
        _tree.WithSources("pkg", new Dictionary<string, object> { ["blob"] = TestTree.Url(_server.Url("hang.bin"), _sha1, null) });
        var info = _tree.Info("pkg");
        var options = FastRetries with { MaxAttempts = 5, IdleTimeout = TimeSpan.FromSeconds(1) };
        var fetcher = (UrlFetcher)new SourceFetchers(_tree.CacheDir, options).Create(info, info.Sources[0]);

        var ex = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        // The first stall got 10 bytes (further than nothing); the second and third got no further.
        ex.Message.ShouldContain("after 3 attempts: no data from the server for 1 s");
        ex.Message.ShouldContain("stalled twice without getting further");
        _server.Hits("hang.bin").ShouldBe(3);
        CacheFiles(fetcher).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_connection_that_keeps_dropping_fails_and_leaves_no_truncated_file()
    {
        _server.Script("f.bin", new TestHttpServer.DropHalfway(_payload));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1);

        var ex = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None));
        ex.Message.ShouldContain("after 3 attempts");
        ex.Message.ShouldContain(_server.Url("f.bin"));
        _server.Hits("f.bin").ShouldBe(3);
        CacheFiles(fetcher).ShouldBeEmpty();
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        var fetcher = Fetcher(_server.Url("missing.bin"), _sha1);
        var ex = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None));
        ex.Message.ShouldContain("404");
        _server.Hits("missing.bin").ShouldBe(1);
    }

    [Fact]
    public async Task Wrong_bytes_are_kept_as_corrupt_and_the_error_names_both_sums_and_the_url()
    {
        var wrong = "not the payload"u8.ToArray();
        _server.Script("f.bin", new TestHttpServer.Body(wrong));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1);

        var ex = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None));

        ex.Message.ShouldContain(_sha1);
        ex.Message.ShouldContain(Convert.ToHexStringLower(SHA1.HashData(wrong)));
        ex.Message.ShouldContain(_server.Url("f.bin"));
        CacheFiles(fetcher).ShouldBe(["f.bin.corrupt"]);
        File.ReadAllBytes(fetcher.CacheFile + ".corrupt").ShouldBe(wrong);
    }

    [Fact]
    public async Task Sha256_alone_verifies_and_both_sums_must_match()
    {
        _server.Script("f.bin", new TestHttpServer.Body(_payload));
        (await Fetcher(_server.Url("f.bin"), null, _sha256).FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);

        var badSha256 = new string('0', 64);
        _server.Script("g.bin", new TestHttpServer.Body(_payload));
        var ex = await Should.ThrowAsync<BuildError>(() => Fetcher(_server.Url("g.bin"), _sha1, badSha256).FetchAsync(null, CancellationToken.None));
        ex.Message.ShouldContain($"sha256 expected {badSha256}, actual {_sha256}");
        ex.Message.ShouldNotContain("sha1 expected");
    }

    [Fact]
    public async Task A_cached_file_that_no_longer_matches_the_sums_is_fetched_again()
    {
        _server.Script("f.bin", new TestHttpServer.Body(_payload));
        var fetcher = Fetcher(_server.Url("f.bin"), _sha1);
        Directory.CreateDirectory(fetcher.CacheFolder);
        File.WriteAllText(fetcher.CacheFile, "an older release");

        (await fetcher.FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        File.ReadAllBytes(fetcher.CacheFile).ShouldBe(_payload);
    }

    [Fact]
    public async Task File_urls_work_absolute_and_relative_to_the_package_folder()
    {
        File.WriteAllBytes(_dir["abs.bin"], _payload);
        var abs = Fetcher("file://" + _dir["abs.bin"], _sha1);
        (await abs.FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        File.ReadAllBytes(abs.CacheFile).ShouldBe(_payload);

        var rel = Fetcher("file://rel.bin", _sha1);
        File.WriteAllBytes(_dir["packages/pkg/rel.bin"], _payload);
        var src = _dir["src"];
        Directory.CreateDirectory(src);
        await rel.CheckoutAsync(src, null, CancellationToken.None);
        File.ReadAllBytes(Path.Combine(src, "rel.bin")).ShouldBe(_payload);

        var missing = Fetcher("file://nope.bin", _sha1);
        (await Should.ThrowAsync<BuildError>(() => missing.FetchAsync(null, CancellationToken.None))).Message.ShouldContain("nope.bin");
    }

    [Fact]
    public async Task Checkout_copies_the_file_into_the_source_folder()
    {
        _server.Script("x/tool-2.1.jar", new TestHttpServer.Body(_payload));
        var src = _dir["src"];
        Directory.CreateDirectory(src);
        await Fetcher(_server.Url("x/tool-2.1.jar"), _sha1).CheckoutAsync(src, null, CancellationToken.None);
        Directory.GetFiles(src).Select(Path.GetFileName).ShouldBe(["tool-2.1.jar"]);
    }
}
