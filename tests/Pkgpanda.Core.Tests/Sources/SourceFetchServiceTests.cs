using System.Security.Cryptography;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Tests.Sources;

public sealed class SourceFetchServiceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestHttpServer _server = new();
    private readonly TestRepo _repo;
    private readonly TestTree _tree;
    private readonly string _sha;
    private readonly byte[] _tarball;

    public SourceFetchServiceTests()
    {
        _repo = new TestRepo(_dir["repo"]);
        _sha = _repo.Commit("one", ("README", "from git\n"));
        _tarball = File.ReadAllBytes(TestArchive.Write(_dir["lib-1.0.tar.gz"], TestArchive.File("lib-1.0/lib.c", "int x;\n")));
        _server.Script("lib-1.0.tar.gz", new TestHttpServer.Body(_tarball));
        var lib = TestTree.Url(_server.Url("lib-1.0.tar.gz"), Convert.ToHexStringLower(SHA1.HashData(_tarball)), extract: true);
        var git = TestTree.Git(_repo.Url, _sha, "master");
        _tree = new TestTree(_dir["packages"])
            .WithSources("a", new Dictionary<string, object> { ["lib"] = lib, ["code"] = git })
            .WithSources("b", new Dictionary<string, object> { ["lib"] = lib });
        File.WriteAllText(_dir["packages/b/buildinfo.json"],
            File.ReadAllText(_dir["packages/b/buildinfo.json"]).Replace("{\"sources\"", "{\"requires\": [\"a\"], \"sources\""));
    }

    public void Dispose()
    {
        _server.Dispose();
        _repo.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_shared_download_that_one_package_cannot_use_fails_under_that_package_alone(bool failingFirst)
    {
        // The same url and sum, once as a plain file and once as an archive to extract, which a text file is not.
        var text = "not an archive\n"u8.ToArray();
        _server.Script("notes.txt", new TestHttpServer.Body(text));
        var sha = Convert.ToHexStringLower(SHA1.HashData(text));
        // a comes first in build order (b requires it).
        var tree = new TestTree(_dir["shared"])
            .WithSources("a", new Dictionary<string, object> { ["doc"] = TestTree.Url(_server.Url("notes.txt"), sha, extract: failingFirst) })
            .WithSources("b", new Dictionary<string, object> { ["doc"] = TestTree.Url(_server.Url("notes.txt"), sha, extract: !failingFirst) });
        File.WriteAllText(Path.Combine(_dir["shared"], "b", "buildinfo.json"),
            File.ReadAllText(Path.Combine(_dir["shared"], "b", "buildinfo.json")).Replace("{\"sources\"", "{\"requires\": [\"a\"], \"sources\""));
        using var fetchers = new SourceFetchers(tree.CacheDir);

        var summary = await new SourceFetchService(fetchers, maxParallel: 2).FetchAllAsync(tree.Graph("b"));

        var extracting = failingFirst ? "a/doc" : "b/doc";
        var plain = failingFirst ? "b/doc" : "a/doc";
        summary.Sources.Select(r => r.Source).Order().ShouldBe(["a/doc", "b/doc"]);
        summary.Sources.Single(r => r.Source == extracting).Error.ShouldNotBeNull().ShouldContain($"{extracting[..1]}/buildinfo.json");
        summary.Sources.Single(r => r.Source == plain).Outcome.ShouldNotBeNull();
        summary.Sources.Single(r => r.Source == plain).Error.ShouldBeNull();
        _server.Hits("notes.txt").ShouldBe(1);
    }

    [Fact]
    public async Task Fetches_each_shared_source_once_and_fills_every_package_cache()
    {
        using var fetchers = new SourceFetchers(_tree.CacheDir);
        var service = new SourceFetchService(fetchers, maxParallel: 2);
        var log = new EventLog();

        var summary = await service.FetchAllAsync(_tree.Graph("b"), log);

        summary.Failed.ShouldBeFalse();
        summary.Sources.Count.ShouldBe(2);
        var lib = summary.Sources.Single(s => s.Kind == "url_extract");
        lib.Users.ShouldBe(["a/lib", "b/lib"]);
        lib.Outcome.ShouldBe(FetchOutcome.Downloaded);
        _server.Hits("lib-1.0.tar.gz").ShouldBe(1);
        File.Exists(Path.Combine(_tree.CacheDir, "packages", "b", "lib", "lib-1.0.tar.gz")).ShouldBeTrue();
        log.Of<FetchFinished>().Select(f => f.Source).Order().ShouldBe(["a/code", "a/lib", "b/lib"]);

        var again = await service.FetchAllAsync(_tree.Graph("b"));
        again.Sources.Single(s => s.Kind == "url_extract").Outcome.ShouldBe(FetchOutcome.Reused);
        _server.Hits("lib-1.0.tar.gz").ShouldBe(1);
    }

    [Fact]
    public async Task Checkout_places_every_source_of_a_package_under_src()
    {
        using var fetchers = new SourceFetchers(_tree.CacheDir);
        var service = new SourceFetchService(fetchers);
        var src = _dir["scratch/src"];

        var outcomes = await service.CheckoutAsync(_tree.Info("a"), src);

        outcomes.Keys.Order().ShouldBe(["code", "lib"]);
        File.ReadAllText(Path.Combine(src, "lib", "lib.c")).ShouldBe("int x;\n");
        File.ReadAllText(Path.Combine(src, "code", "README")).ShouldBe("from git\n");
        Directory.Exists(Path.Combine(src, "code", ".git")).ShouldBeTrue();
    }

    [Fact]
    public async Task Failures_are_reported_in_the_summary_not_thrown()
    {
        _server.Script("lib-1.0.tar.gz", new TestHttpServer.Body("wrong"u8.ToArray()));
        using var fetchers = new SourceFetchers(_tree.CacheDir);
        var log = new EventLog();

        var summary = await new SourceFetchService(fetchers).FetchAllAsync(_tree.Graph("b"), log);

        summary.Failed.ShouldBeTrue();
        var failed = summary.Sources.Single(s => s.Failed);
        failed.Error!.ShouldContain("sha1 expected");
        summary.Sources.Single(s => s.Kind == "git").Outcome.ShouldBe(FetchOutcome.Downloaded);
        log.Of<FetchFailed>().ShouldHaveSingleItem();
        summary.ToError().Message.ShouldContain("a/lib");
    }
}
