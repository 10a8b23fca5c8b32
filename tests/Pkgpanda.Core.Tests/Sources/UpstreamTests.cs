using Pkgpanda.Core.Model;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Tests.Sources;

public sealed class UpstreamTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestRepo _upstream;
    private readonly TestTree _tree;

    public UpstreamTests()
    {
        _upstream = new TestRepo(_dir["upstream"]);
        _tree = new TestTree(_dir["packages"]);
        _tree.Package("mesos", "{}");
    }

    public void Dispose()
    {
        _upstream.Dispose();
        _dir.Dispose();
    }

    private void WriteUpstreamJson(string sha) =>
        File.WriteAllText(Path.Combine(_tree.PackagesDir, "upstream.json"),
            System.Text.Json.JsonSerializer.Serialize(TestTree.Git(_upstream.Url, sha, "master")));

    [Fact]
    public async Task Upstream_packages_fill_in_what_the_local_tree_does_not_define()
    {
        var sha = _upstream.Commit("packages",
            ("packages/zookeeper/buildinfo.json", "{}"), ("packages/zookeeper/build", "#!/bin/sh\n"),
            ("packages/mesos/buildinfo.json", """{"requires": ["zookeeper"]}"""), ("packages/mesos/build", "#!/bin/sh\n"));
        WriteUpstreamJson(sha);

        var extra = await Upstream.PrepareAsync(_tree.PackagesDir);

        extra.ShouldBe(Path.Combine(_tree.PackagesDir, "cache", "upstream", "checkout", "packages"));
        var store = _tree.Load(extra!);
        store.Names.ShouldBe(["mesos", "zookeeper"]);
        store.FolderOf("mesos").ShouldBe(Path.Combine(_tree.PackagesDir, "mesos"));
        store.Get(new PackageKey("mesos", null)).Requires.ShouldBeEmpty();
        store.FolderOf("zookeeper").ShouldStartWith(extra!);
    }

    [Fact]
    public async Task A_new_upstream_ref_replaces_the_previous_checkout()
    {
        var first = _upstream.Commit("one", ("packages/a/buildinfo.json", "{}"), ("packages/a/build", ""));
        WriteUpstreamJson(first);
        await Upstream.PrepareAsync(_tree.PackagesDir);
        var second = _upstream.Commit("two", ("packages/b/buildinfo.json", "{}"), ("packages/b/build", ""));
        WriteUpstreamJson(second);

        var extra = await Upstream.PrepareAsync(_tree.PackagesDir);

        _tree.Load(extra!).Names.ShouldBe(["a", "b", "mesos"]);
        Directory.GetDirectories(Path.Combine(_tree.PackagesDir, "cache", "upstream")).Select(Path.GetFileName).Order()
            .ShouldBe(["cache.git", "checkout"]);
    }

    [Fact]
    public async Task An_upstream_with_its_own_upstream_is_refused()
    {
        var sha = _upstream.Commit("nested", ("packages/a/buildinfo.json", "{}"), ("packages/upstream.json", "{}"));
        WriteUpstreamJson(sha);
        var ex = await Should.ThrowAsync<BuildError>(() => Upstream.PrepareAsync(_tree.PackagesDir));
        ex.Message.ShouldContain("upstream of an upstream");
        Directory.Exists(Path.Combine(_tree.PackagesDir, "cache", "upstream", "checkout")).ShouldBeFalse();
    }

    [Fact]
    public async Task Upstream_json_is_validated_like_a_buildinfo_source()
    {
        File.WriteAllText(Path.Combine(_tree.PackagesDir, "upstream.json"), """{"kind": "git", "git": "x", "ref": "abc", "ref_origin": "master"}""");
        var ex = await Should.ThrowAsync<BuildError>(() => Upstream.PrepareAsync(_tree.PackagesDir));
        ex.Message.ShouldContain("upstream.json");
        ex.Message.ShouldContain("\"ref\"");

        File.WriteAllText(Path.Combine(_tree.PackagesDir, "upstream.json"), """{"kind": "url", "url": "file://x", "sha1": "0000000000000000000000000000000000000000", "extra": 1}""");
        (await Should.ThrowAsync<BuildError>(() => Upstream.PrepareAsync(_tree.PackagesDir))).Message.ShouldContain("\"extra\"");
    }

    [Fact]
    public async Task A_tree_without_upstream_json_has_no_upstream()
    {
        (await Upstream.PrepareAsync(_tree.PackagesDir)).ShouldBeNull();
    }
}
