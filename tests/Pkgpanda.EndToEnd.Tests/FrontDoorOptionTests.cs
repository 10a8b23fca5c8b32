using System.Text.Json;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>./build.sh with NUKE's common options, the schema an editor reads, and Clean.</summary>
[Collection("docker")]
public class FrontDoorOptionTests
{
    [Fact]
    public async Task Verbosity_quiet_leaves_warnings_errors_and_the_summary_and_verbose_adds_debug()
    {
        using var root = new FrontDoorRoot();
        var normal = await root.RunAsync("Resolve");
        normal.ExitCode.ShouldBe(0, normal.ToString());
        normal.Output.ShouldContain("pkgpanda.NET");
        normal.Output.ShouldContain("Build order (");

        var quiet = await root.RunAsync("Resolve", "--verbosity", "quiet");
        quiet.ExitCode.ShouldBe(0, quiet.ToString());
        quiet.Output.ShouldMatch(@"Resolve\s+Succeeded");
        quiet.Output.ShouldContain("Build succeeded on ");
        foreach (var hidden in new[] { "pkgpanda.NET", "Build order (", "║ Resolve", "[INF]" }) quiet.Output.ShouldNotContain(hidden);

        var noLogo = await root.RunAsync("Resolve", "--no-logo");
        noLogo.Output.ShouldNotContain("pkgpanda.NET");
        noLogo.Output.ShouldContain("Build order (");

        var wrong = await root.RunAsync("Resolve", "--verbosity", "chatty");
        wrong.ExitCode.ShouldBe(2, wrong.ToString());
        wrong.Output.ShouldContain("--verbosity chatty: use one of quiet, minimal, normal, verbose.");
    }

    [Fact]
    public async Task Host_GitHubActions_folds_targets_into_groups()
    {
        using var root = new FrontDoorRoot();
        var result = await root.RunAsync("Resolve", "--host", "GitHubActions");
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("::group::Resolve");
        result.Output.ShouldContain("::endgroup::");
        (await root.RunAsync("Resolve")).Output.ShouldNotContain("::group::");
    }

    [Fact]
    public async Task Help_lists_the_common_options_and_Clean_and_the_schema_completes_targets_and_skips()
    {
        using var root = new FrontDoorRoot();
        var help = await root.RunAsync("--help");
        help.ExitCode.ShouldBe(0, help.ToString());
        foreach (var option in new[] { "--verbosity <level>", "--no-logo", "--host <host>", "--dont-clean-after-build", "--keep-failed", "--all" })
            help.Output.ShouldContain(option);
        help.Output.ShouldMatch(@"\n  Clean\s+Remove the build scratch");

        using var schema = JsonDocument.Parse(File.ReadAllText(root.PathOf(".nuke/build.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        foreach (var list in new[] { "Target", "Skip" })
            properties.GetProperty(list).GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString())
                .ShouldBe(["Build", "Clean", "Fetch", "Hash", "Pack", "Publish", "Resolve", "Setup", "Test"]);
        properties.GetProperty("Verbosity").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldContain("Quiet");
        properties.GetProperty("DontCleanAfterBuild").GetProperty("type").GetString().ShouldBe("boolean");

        // An editor's completion is only worth having if the file it completes is accepted.
        File.WriteAllText(root.PathOf(".nuke/parameters.json"), """{ "$schema": "./build.schema.json", "Target": ["Resolve"], "Verbosity": "Quiet" }""");
        var fromFile = await root.RunAsync();
        fromFile.ExitCode.ShouldBe(0, fromFile.ToString());
        fromFile.Output.ShouldMatch(@"Resolve\s+Succeeded");
        fromFile.Output.ShouldNotContain("Build order (");
    }

    [Fact]
    public async Task Clean_removes_scratch_and_kept_folders_and_with_all_the_cache_but_never_the_tree()
    {
        using var root = new FrontDoorRoot();
        var cache = Path.Combine(root.Packages, "cache");
        var tree = Snapshot(root.Packages);
        var built = Path.Combine(cache, "packages", "openssl", "openssl--" + new string('a', 40) + ".tar.xz");
        foreach (var file in new[] { built, Path.Combine(cache, "tmp", "openssl--x.999999999.abc", "src", "f"), Path.Combine(cache, "failed", "openssl--" + new string('b', 40), "src", "f") })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, "x");
        }

        var clean = await root.RunAsync("Clean");
        clean.ExitCode.ShouldBe(0, clean.ToString());
        clean.Output.ShouldContain("Clean: 2 removed, 0 temporaries removed, 0 kept");
        Directory.EnumerateFileSystemEntries(Path.Combine(cache, "tmp")).ShouldBeEmpty();
        Directory.EnumerateFileSystemEntries(Path.Combine(cache, "failed")).ShouldBeEmpty();
        File.Exists(built).ShouldBeTrue();

        var all = await root.RunAsync("Clean", "--all");
        all.ExitCode.ShouldBe(0, all.ToString());
        File.Exists(built).ShouldBeFalse();
        Snapshot(root.Packages).ShouldBe(tree);
    }

    [Fact]
    public async Task Clean_all_is_refused_while_a_build_holds_the_cache_and_clean_keeps_a_package_being_built()
    {
        using var root = new FrontDoorRoot();
        var cache = new PackageCache(Path.Combine(root.Packages, "cache"));
        var id = new Pkgpanda.Core.Model.PackageId("openssl", new string('c', 40));
        var built = cache.PackagePath(id);
        var failed = Path.Combine(cache.FailedFolder, id.ToString(), "src", "f");
        foreach (var file in new[] { built, failed })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, "x");
        }
        // This test process stands for a running ./build.sh Build: it holds the cache and is building openssl.
        using (await FileLock.AcquireSharedAsync(cache.RunLockPath, CancellationToken.None))
        using (await FileLock.AcquireAsync(cache.BuildLockPath(id), CancellationToken.None))
        {
            var refused = await root.RunAsync("Clean", "--all");
            refused.ExitCode.ShouldBe(1, refused.ToString());
            refused.Output.ShouldContain("a running build uses this cache, so cleaning all of it was refused and nothing was removed");
            refused.Output.ShouldNotContain("   at ");
            File.Exists(built).ShouldBeTrue();

            var careful = await root.RunAsync("Clean");
            careful.ExitCode.ShouldBe(0, careful.ToString());
            careful.Output.ShouldContain("[WRN] Kept ");
            careful.Output.ShouldContain("a running build of this package may replace it");
            File.Exists(failed).ShouldBeTrue();
        }
        (await root.RunAsync("Clean", "--all")).ExitCode.ShouldBe(0);
        File.Exists(built).ShouldBeFalse();
        File.Exists(failed).ShouldBeFalse();
    }

    private static List<string> Snapshot(string packages) =>
        Directory.EnumerateFiles(packages, "*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(Path.Combine(packages, "cache") + "/", StringComparison.Ordinal))
            .Select(p => $"{Path.GetRelativePath(packages, p)} {new FileInfo(p).Length}").Order(StringComparer.Ordinal).ToList();
}
