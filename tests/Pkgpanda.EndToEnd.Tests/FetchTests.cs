namespace Pkgpanda.EndToEnd.Tests;

/// <summary>./build.sh --target Fetch and builds of packages with real sources (a shipped tarball, a git_local checkout).</summary>
[Collection("docker")]
public class FetchTests
{
    [Fact]
    public async Task Fetch_downloads_once_then_reuses_the_verified_cache()
    {
        using var tree = new ExampleTree(gitRepository: true);
        var first = await Cli.RunAsync(tree.Args("--target", "Fetch", "--package", "hello-tarball"));
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Output.ShouldContain("hello-tarball/hello: downloaded");
        var cached = Path.Combine(tree.Cache, "packages", "hello-tarball", "hello", "hello-1.0.tar.gz");
        File.Exists(cached).ShouldBeTrue();

        var second = await Cli.RunAsync(tree.Args("--target", "Fetch", "--package", "hello-tarball"));
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Output.ShouldContain("hello-tarball/hello: reused");
    }

    [Fact]
    public async Task Packages_with_url_extract_and_git_local_sources_build()
    {
        using var tree = new ExampleTree(gitRepository: true);
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "hello-tarball"));
        result.ExitCode.ShouldBe(0, result.ToString());
        var local = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "project-source"));
        local.ExitCode.ShouldBe(0, local.ToString());
        Directory.GetFiles(Path.Combine(tree.Cache, "packages"), "*.tar.xz", SearchOption.AllDirectories).Select(Path.GetFileName)
            .ShouldContain(n => n!.StartsWith("project-source--"));
    }

    [Fact]
    public async Task A_dirty_git_local_repository_is_refused_with_how_to_commit()
    {
        using var tree = new ExampleTree(gitRepository: true);
        File.AppendAllText(tree.PathOf("libevent/build"), "# an uncommitted change\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Hash", "--package", "project-source"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("uncommitted changes");
        result.Output.ShouldContain("examples/packages/libevent/build");
        result.Output.ShouldContain("commit -am wip");
    }

    [Fact]
    public async Task A_wrong_checksum_is_refused_naming_both_sums_and_the_download_is_set_aside()
    {
        using var tree = new ExampleTree(gitRepository: true);
        var buildinfo = tree.PathOf("hello-tarball/buildinfo.json");
        var text = File.ReadAllText(buildinfo);
        var sha1 = System.Text.RegularExpressions.Regex.Match(text, "\"sha1\": *\"([0-9a-f]{40})\"").Groups[1].Value;
        File.WriteAllText(buildinfo, text.Replace(sha1, new string('0', 40)));
        var result = await Cli.RunAsync(tree.Args("--target", "Fetch", "--package", "hello-tarball"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain(new string('0', 40));
        result.Output.ShouldContain(sha1);
        Directory.GetFiles(Path.Combine(tree.Cache, "packages", "hello-tarball", "hello"), "*.corrupt").ShouldNotBeEmpty();
        File.Exists(Path.Combine(tree.Cache, "packages", "hello-tarball", "hello", "hello-1.0.tar.gz")).ShouldBeFalse();
    }
}
