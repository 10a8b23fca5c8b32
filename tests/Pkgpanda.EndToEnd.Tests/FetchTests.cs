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
    public async Task An_upstream_tree_adds_the_packages_the_local_tree_lacks()
    {
        using var upstream = new ExampleTree();
        using var local = new ExampleTree();
        // The local tree keeps only mesos; everything mesos requires comes from the upstream checkout.
        foreach (var dir in Directory.GetDirectories(local.Root).Where(d => Path.GetFileName(d) != "mesos"))
            Directory.Delete(dir, recursive: true);
        File.Delete(local.PathOf("treeinfo.json"));
        // An upstream is a repository with packages/ at its top: the copy's examples/ folder, committed.
        var upstreamRoot = Path.Combine(upstream.Repository, "examples");
        foreach (var args in new[] { new[] { "init", "-q" }, ["add", "-A"], ["-c", "user.email=t@e", "-c", "user.name=t", "commit", "-qm", "upstream"] })
            (await Tool.RunAsync("git", ["-C", upstreamRoot, .. args])).ExitCode.ShouldBe(0);
        var commit = (await Tool.RunAsync("git", "-C", upstreamRoot, "rev-parse", "HEAD")).Output.Trim();
        File.WriteAllText(local.PathOf("upstream.json"),
            $"{{\"kind\": \"git\", \"git\": \"file://{upstreamRoot}\", \"ref\": \"{commit}\", \"ref_origin\": \"master\"}}");

        var result = await Cli.RunAsync(local.Args("--target", "Build", "--package", "mesos"));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Total: 5 packages: 5 built");
        Directory.Exists(Path.Combine(local.Cache, "upstream", "checkout", "packages", "openssl")).ShouldBeTrue();
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
