using LibGit2Sharp;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Tests.Sources;

public sealed class GitFetcherTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestRepo _upstream;
    private readonly TestTree _tree;
    private readonly string _first, _second, _third, _feature;
    private readonly string _main;

    public GitFetcherTests()
    {
        _upstream = new TestRepo(_dir["upstream"]);
        _first = _upstream.Commit("one", ("README", "one\n"), ("bin/tool.sh", "#!/bin/sh\necho hi\n"));
        _second = _upstream.Commit("two", ("README", "two\n"));
        _upstream.Tag("v2", _second);
        _third = _upstream.Commit("three", ("README", "three\n"));
        _main = _upstream.Repo.Head.FriendlyName;
        _upstream.Branch("feature", _first);
        _upstream.Switch("feature");
        _feature = _upstream.Commit("feature work", ("FEATURE", "yes\n"));
        _upstream.Switch(_main);
        _tree = new TestTree(_dir["packages"]);
    }

    public void Dispose()
    {
        _upstream.Dispose();
        _dir.Dispose();
    }

    private ISourceFetcher Fetcher(string reference, string origin, SourceFetchers? fetchers = null)
    {
        _tree.WithSources("pkg", new Dictionary<string, object> { ["src"] = TestTree.Git(_upstream.Url, reference, origin) });
        var info = _tree.Info("pkg");
        return (fetchers ?? new SourceFetchers(_tree.CacheDir)).Create(info, info.Sources[0]);
    }

    private string NewSrcDir()
    {
        var dir = _dir["scratch-" + Guid.NewGuid().ToString("N")[..8]];
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public async Task A_git_server_that_accepts_and_never_answers_fails_the_fetch_after_the_idle_timeout()
    {
        // libgit2 calls back only when bytes arrive: without its own server timeout this fetch never ends.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(10);
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/repo.git";
        _tree.WithSources("pkg", new Dictionary<string, object> { ["src"] = TestTree.Git(url, _first, _main) });
        var info = _tree.Info("pkg");
        using var fetchers = new SourceFetchers(_tree.CacheDir, new Pkgpanda.Core.Sources.FetchOptions { IdleTimeout = TimeSpan.FromSeconds(2) });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var error = await Should.ThrowAsync<BuildError>(() => fetchers.Create(info, info.Sources[0]).FetchAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        error.Message.ShouldContain($"cannot fetch {url}");
        error.Message.ShouldContain("no data from the server for 2 s");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Checkout_places_exactly_the_ref_with_its_git_folder()
    {
        var src = NewSrcDir();
        var outcome = await Fetcher(_second, "v2").CheckoutAsync(src, null, CancellationToken.None);

        outcome.ShouldBe(FetchOutcome.Downloaded);
        File.ReadAllText(Path.Combine(src, "README")).ShouldBe("two\n");
        File.Exists(Path.Combine(src, "FEATURE")).ShouldBeFalse();
        using var repo = new Repository(src);
        repo.Head.Tip.Sha.ShouldBe(_second);
        repo.RetrieveStatus().IsDirty.ShouldBeFalse();
        Directory.Exists(Path.Combine(_tree.CacheDir, "packages", "pkg", "src", "cache.git")).ShouldBeTrue();
    }

    [Fact]
    public async Task Checkout_of_a_commit_on_another_branch_works()
    {
        var src = NewSrcDir();
        await Fetcher(_feature, "feature").CheckoutAsync(src, null, CancellationToken.None);
        File.ReadAllText(Path.Combine(src, "FEATURE")).ShouldBe("yes\n");
        File.ReadAllText(Path.Combine(src, "README")).ShouldBe("one\n");
    }

    [Fact]
    public async Task Warns_when_ref_origin_points_elsewhere_and_not_when_it_matches()
    {
        var moved = new EventLog();
        await Fetcher(_second, _main).FetchAsync(moved, CancellationToken.None);
        var warning = moved.Of<FetchWarning>().ShouldHaveSingleItem();
        warning.Message.ShouldContain(_third);
        warning.Message.ShouldContain(_second);
        warning.Message.ShouldContain($"\"{_main}\"");

        var same = new EventLog();
        await Fetcher(_second, "v2").FetchAsync(same, CancellationToken.None);
        same.Of<FetchWarning>().ShouldBeEmpty();
    }

    [Fact]
    public async Task Second_fetch_updates_the_existing_mirror_and_sees_new_upstream_commits()
    {
        var fetcher = (GitFetcher)Fetcher(_third, _main);
        (await fetcher.FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        // A marker inside the mirror survives only if the mirror is reused rather than cloned again.
        var marker = Path.Combine(fetcher.MirrorPath, "pkgpanda-test-marker");
        File.WriteAllText(marker, "");

        var fourth = _upstream.Commit("four", ("README", "four\n"));
        var log = new EventLog();
        (await fetcher.FetchAsync(log, CancellationToken.None)).ShouldBe(FetchOutcome.Updated);

        File.Exists(marker).ShouldBeTrue();
        using (var mirror = new Repository(fetcher.MirrorPath))
            mirror.Lookup<Commit>(fourth).ShouldNotBeNull();
        log.Of<FetchWarning>().ShouldHaveSingleItem().Message.ShouldContain(fourth);
    }

    [Fact]
    public async Task A_damaged_mirror_is_made_again_rather_than_the_ref_called_missing_upstream()
    {
        var fetcher = (GitFetcher)Fetcher(_third, _main);
        (await fetcher.FetchAsync(null, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        // Its objects lost (a pack cut short, a cleanup gone wrong): the refs remain, so a fetch finds nothing to do.
        foreach (var file in Directory.GetFiles(Path.Combine(fetcher.MirrorPath, "objects"), "*", SearchOption.AllDirectories)) File.Delete(file);

        var log = new EventLog();
        (await fetcher.FetchAsync(log, CancellationToken.None)).ShouldBe(FetchOutcome.Downloaded);
        log.Of<FetchWarning>().ShouldContain(w => w.Message.Contains("is made again from"));
        var src = NewSrcDir();
        await fetcher.CheckoutAsync(src, null, CancellationToken.None);
        File.ReadAllText(Path.Combine(src, "README")).ShouldBe("three\n");
    }

    [Fact]
    public async Task Checkout_from_a_filled_mirror_needs_no_network()
    {
        var fetcher = Fetcher(_second, "v2");
        await fetcher.FetchAsync(null, CancellationToken.None);
        _upstream.Dispose();
        Directory.Move(_upstream.Path, _dir["gone"]);

        var src = NewSrcDir();
        (await fetcher.CheckoutAsync(src, null, CancellationToken.None)).ShouldBe(FetchOutcome.Reused);
        File.ReadAllText(Path.Combine(src, "README")).ShouldBe("two\n");
    }

    [Fact]
    public async Task Unknown_ref_is_an_error_naming_url_and_ref()
    {
        const string missing = "0123456789abcdef0123456789abcdef01234567";
        var ex = await Should.ThrowAsync<BuildError>(() => Fetcher(missing, _main).CheckoutAsync(NewSrcDir(), null, CancellationToken.None));
        ex.Message.ShouldContain(missing);
        ex.Message.ShouldContain(_upstream.Url);
        ex.Message.ShouldContain("\"ref\"");
    }

    [Fact]
    public async Task Unreachable_repository_is_an_error_naming_the_url()
    {
        _tree.WithSources("pkg", new Dictionary<string, object> { ["src"] = TestTree.Git("file://" + _dir["nowhere"], _first, "x") });
        var info = _tree.Info("pkg");
        var fetcher = new SourceFetchers(_tree.CacheDir).Create(info, info.Sources[0]);
        var ex = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None));
        ex.Message.ShouldContain(_dir["nowhere"]);
        Directory.Exists(Path.Combine(_tree.CacheDir, "packages", "pkg", "src", "cache.git")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("missing", "there is no folder")]
    [InlineData("plain", "is not a git repository")]
    [InlineData("relative", "a local repository is named by its absolute path")]
    public async Task A_local_path_that_cannot_be_fetched_says_what_is_wrong_with_it(string kind, string problem)
    {
        var plain = _dir["plain-folder"];
        Directory.CreateDirectory(plain);
        var url = kind switch { "missing" => _dir["nowhere"], "plain" => plain, _ => "../upstream" };
        _tree.WithSources("pkg", new Dictionary<string, object> { ["src"] = TestTree.Git(url, _first, "x") });
        var info = _tree.Info("pkg");
        var fetcher = new SourceFetchers(_tree.CacheDir).Create(info, info.Sources[0]);
        var ex = await Should.ThrowAsync<BuildError>(() => fetcher.FetchAsync(null, CancellationToken.None));
        ex.Message.ShouldContain($"cannot fetch {url}: ");
        ex.Message.ShouldContain(problem);
        ex.Message.ShouldNotContain("unsupported URL protocol");
    }
}
