using System.Security.Cryptography;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Tests.Sources;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// Fetch checks what it fetched completely: an url_extract archive that would write outside its folder is refused by
/// Fetch itself (naming the archive, the entry and the source), not first by the Build that extracts it.
/// </summary>
public sealed class FetchVerificationTests : IDisposable
{
    private readonly TempTree _dir = new();
    private readonly TestHttpServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    private async Task<FetchSummary> FetchArchiveAsync(string name, params TestArchive.Item[] items)
    {
        var bytes = File.ReadAllBytes(TestArchive.Write(_dir.PathOf(name), items));
        _server.Script("dl/" + name, new TestHttpServer.Body(bytes));
        var tree = new TestTree(_dir.PathOf("packages"))
            .WithSources("lib", new Dictionary<string, object> { ["src"] = TestTree.Url(_server.Url("dl/" + name), Convert.ToHexStringLower(SHA1.HashData(bytes)), extract: true) });
        using var fetchers = new SourceFetchers(tree.CacheDir, new FetchOptions { MaxAttempts = 1 });
        return await new SourceFetchService(fetchers).FetchAllAsync(tree.Graph("lib"));
    }

    public static TheoryData<string, TestArchive.Item, string> Unsafe => new()
    {
        { "dotdot", TestArchive.File("lib-1.0/../../evil.sh", "rm -rf /"), "contains \"..\"" },
        { "absolute", TestArchive.File("/etc/evil.conf", "x"), "has an absolute path" },
        { "symlink", TestArchive.Symlink("lib-1.0/etc", "../../../etc"), "leads outside the source folder" },
        { "hardlink", TestArchive.Hardlink("lib-1.0/passwd", "/etc/passwd"), "is a hardlink to \"/etc/passwd\", outside the source folder" },
    };

    [Theory]
    [MemberData(nameof(Unsafe))]
    public async Task Fetch_refuses_an_archive_with_an_entry_leaving_its_folder(string kind, TestArchive.Item entry, string why)
    {
        var name = $"lib-{kind}.tar.gz";
        var summary = await FetchArchiveAsync(name, TestArchive.Dir("lib-1.0"), TestArchive.File("lib-1.0/lib.c", "int x;\n"), entry);

        summary.Failed.ShouldBeTrue();
        var error = summary.Sources.Single().Error!;
        error.ShouldContain("lib/buildinfo.json: \"sources\".\"src\".\"url\"");
        error.ShouldContain($"(archive {_dir.PathOf("packages/cache/packages/lib/src/" + name)})");
        error.ShouldContain($"entry \"{entry.Name}\"");
        error.ShouldContain(why);
        summary.ToError().Message.ShouldContain(why);
    }

    [Fact]
    public async Task A_single_source_that_fails_its_check_is_named_by_the_field_it_was_given_in()
    {
        _server.Script("dl/lib.txt", new TestHttpServer.Body("the sources\n"u8.ToArray()));
        var tree = new TestTree(_dir.PathOf("packages"))
            .Package("lib", $"{{\"single_source\": {{\"kind\": \"url\", \"url\": \"{_server.Url("dl/lib.txt")}\", \"sha1\": \"{new string('0', 40)}\"}}}}");
        using var fetchers = new SourceFetchers(tree.CacheDir, new FetchOptions { MaxAttempts = 1 });
        var summary = await new SourceFetchService(fetchers).FetchAllAsync(tree.Graph("lib"));

        summary.Failed.ShouldBeTrue();
        var error = summary.Sources.Single().Error!;
        error.ShouldContain("lib/buildinfo.json: \"single_source\".\"url\"");
        error.ShouldContain("sha1 expected " + new string('0', 40));
    }

    [Fact]
    public async Task A_safe_archive_fetches_green()
    {
        var summary = await FetchArchiveAsync("lib-ok.tar.gz", TestArchive.Dir("lib-1.0"), TestArchive.File("lib-1.0/lib.c", "int x;\n"),
            TestArchive.Symlink("lib-1.0/inner", "lib.c"));
        summary.Failed.ShouldBeFalse(summary.Failed ? summary.ToError().Message : "");
    }
}
