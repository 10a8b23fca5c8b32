using System.Text.RegularExpressions;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// Setup when everything may already be in place: it then asks the engine over plain socket requests and opens no
/// pool, so it must still notice each way a builder image can be out of date (issue 14's no-op shortcut).
/// </summary>
[Collection("docker")]
public class SetupTests
{
    [Fact]
    public async Task A_setup_with_everything_in_place_makes_nothing_and_one_after_a_change_to_a_docker_folder_or_its_tag_does()
    {
        using var tree = ExampleTree.Empty();
        // A name of this run's own, so its images are this test's to remove.
        var package = $"setup-e2e-{Environment.ProcessId}";
        var latest = $"dcos/dcos-builder:{package}_dockerdir-latest";
        Directory.CreateDirectory(tree.PathOf($"{package}/docker"));
        File.WriteAllText(tree.PathOf($"{package}/docker/Dockerfile"), "FROM dcos/dcos-builder:dcos-builder_dockerdir-latest\nLABEL step=one\n");
        File.WriteAllText(tree.PathOf($"{package}/buildinfo.json"), $"{{\"docker\": \"{latest}\"}}");
        File.WriteAllText(tree.PathOf($"{package}/build"), "#!/bin/sh\n");
        try
        {
            var first = await Cli.RunAsync(tree.Args("--target", "Hash"));
            first.ExitCode.ShouldBe(0, first.ToString());
            first.Output.ShouldContain($"Built package builder images: {package}");
            var firstId = Id(first.Output, package);

            var again = await Cli.RunAsync(tree.Args("--target", "Hash"));
            again.ExitCode.ShouldBe(0, again.ToString());
            again.Output.ShouldNotContain("Built package builder images");
            again.Output.ShouldContain("Builder image dcos/dcos-builder:dcos-builder_dockerdir-latest is present");
            Id(again.Output, package).ShouldBe(firstId);

            // The docker/ folder changes: a new image, and with it a new package id.
            File.WriteAllText(tree.PathOf($"{package}/docker/Dockerfile"), "FROM dcos/dcos-builder:dcos-builder_dockerdir-latest\nLABEL step=two\n");
            var changed = await Cli.RunAsync(tree.Args("--target", "Hash"));
            changed.ExitCode.ShouldBe(0, changed.ToString());
            changed.Output.ShouldContain($"Built package builder images: {package}");
            var changedId = Id(changed.Output, package);
            changedId.ShouldNotBe(firstId);

            // Its _dockerdir-latest tag is moved to another image by hand: Setup puts it back on the folder's image.
            var folderImage = await ImageId(latest);
            (await Tool.RunAsync("docker", "tag", "dcos/dcos-builder:dcos-builder_dockerdir-latest", latest)).ExitCode.ShouldBe(0);
            (await ImageId(latest)).ShouldNotBe(folderImage);
            var retagged = await Cli.RunAsync(tree.Args("--target", "Hash"));
            retagged.ExitCode.ShouldBe(0, retagged.ToString());
            (await ImageId(latest)).ShouldBe(folderImage);
            Id(retagged.Output, package).ShouldBe(changedId);
        }
        finally
        {
            await RemoveBuilderImagesAsync(package);
        }
    }

    [Fact]
    public async Task A_docker_folder_that_no_longer_builds_stops_the_run_instead_of_using_the_older_image_under_its_tag()
    {
        using var tree = ExampleTree.Empty();
        var package = $"broken-e2e-{Environment.ProcessId}";
        var latest = $"dcos/dcos-builder:{package}_dockerdir-latest";
        Directory.CreateDirectory(tree.PathOf($"{package}/docker"));
        File.WriteAllText(tree.PathOf($"{package}/docker/Dockerfile"), "FROM dcos/dcos-builder:dcos-builder_dockerdir-latest\nRUN echo 1 > /v\n");
        File.WriteAllText(tree.PathOf($"{package}/buildinfo.json"), $"{{\"docker\": \"{latest}\"}}");
        File.WriteAllText(tree.PathOf($"{package}/build"), "#!/bin/sh\ncat /v > $PKG_PATH/v\n");
        File.SetUnixFileMode(tree.PathOf($"{package}/build"), (UnixFileMode)0b111_101_101);
        try
        {
            var first = await Cli.RunAsync(tree.Args("--target", "Build"));
            first.ExitCode.ShouldBe(0, first.ToString());
            // The file-hash cache may gain entries (it only saves reads); nothing else in the cache changes.
            List<string> Cache() => tree.CacheSnapshot().Where(f => !f.Contains("/cache/file-hashes", StringComparison.Ordinal)).ToList();
            var cache = Cache();

            // A run with a broken docker/ folder fails, naming it, and builds nothing with the older image under its tag.
            async Task<string> RefusedWith(string dockerfile)
            {
                File.WriteAllText(tree.PathOf($"{package}/docker/Dockerfile"), dockerfile);
                var broken = await Cli.RunAsync(tree.Args("--target", "Build"));
                broken.ExitCode.ShouldNotBe(0, broken.ToString());
                broken.Output.ShouldContain($"The builder image of {package} cannot be built:");
                broken.Output.ShouldContain("Fix its docker/ folder");
                broken.Output.ShouldNotContain("is used as it is");
                broken.Output.ShouldNotContain("   at ");
                Cache().ShouldBe(cache);
                return broken.Output;
            }

            // The edit breaks the image build.
            await RefusedWith("FROM dcos/dcos-builder:dcos-builder_dockerdir-latest\nRUN echo 2 > /v && exit 1\n");
            // A Dockerfile the engine cannot parse is as broken (the engine answers 400): told the same way, no engine fault.
            var unparsable = await RefusedWith("FR0M dcos/dcos-builder:dcos-builder_dockerdir-latest\n");
            unparsable.ShouldContain("unknown instruction");
            unparsable.ShouldNotContain("The Docker engine at");

            // A docker/ folder without its Dockerfile is as broken.
            File.Delete(tree.PathOf($"{package}/docker/Dockerfile"));
            var empty = await Cli.RunAsync(tree.Args("--target", "Build"));
            empty.ExitCode.ShouldNotBe(0, empty.ToString());
            empty.Output.ShouldContain("a package's docker/ folder must hold a Dockerfile");
            Cache().ShouldBe(cache);
        }
        finally
        {
            await RemoveBuilderImagesAsync(package);
        }
    }

    /// <summary>The images this test made for <paramref name="package"/>'s docker/ folder (a name of its own run), and no other.</summary>
    private static async Task RemoveBuilderImagesAsync(string package)
    {
        var tags = await Tool.RunAsync("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "dcos/dcos-builder");
        foreach (var tag in tags.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                     .Where(t => t.StartsWith($"dcos/dcos-builder:{package}_dockerdir-", StringComparison.Ordinal)))
            await Tool.RunAsync("docker", "rmi", "-f", tag);
    }

    private static string Id(string output, string package) =>
        Regex.Match(output, $@"^{Regex.Escape(package)}\s+<default>\s+({Regex.Escape(package)}--[0-9a-f]{{40}})", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[1].Value
            : throw new ShouldAssertException($"no id of {package} in:\n{output}");

    private static async Task<string> ImageId(string image) =>
        (await Tool.RunAsync("docker", "image", "inspect", "--format", "{{.Id}}", image)).Output.Trim();
}
