namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A package's own builder image (its <c>docker/</c> folder) on an engine pool: made once, on the first engine, and
/// copied to the other with its id, so packages built on either engine have the ids and bytes of a build elsewhere
/// with that image.
/// </summary>
[Collection("docker")]
public class BuilderImagePoolTests
{
    private const string Builder = "dcos/dcos-builder:dcos-builder_dockerdir-latest";

    private static Dictionary<string, byte[]> Tarballs(string packagesDir) =>
        Directory.GetFiles(Path.Combine(packagesDir, "cache", "packages"), "*.tar.xz", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    /// <summary>
    /// <paramref name="toolchain"/> has a docker/ folder (FROM a local image, plus a file of its own); it and three
    /// more packages build with that image, each copying the file into its result.
    /// </summary>
    private static void Tree(string root, string toolchain)
    {
        Directory.CreateDirectory(Path.Combine(root, toolchain, "docker"));
        File.WriteAllText(Path.Combine(root, toolchain, "docker", "Dockerfile"), $"FROM {Builder}\nCOPY marker /opt/marker\nLABEL io.pkgpanda.test=docker-folder\n");
        File.WriteAllText(Path.Combine(root, toolchain, "docker", "marker"), $"made from the docker/ folder of {toolchain}\n");
        var image = $"dcos/dcos-builder:{toolchain}_dockerdir-latest";
        var script = "#!/bin/sh\nset -e\nsleep 1\nmkdir -p $PKG_PATH/share\ncp /opt/marker $PKG_PATH/share/marker\n";
        foreach (var name in new[] { toolchain, "user-1", "user-2", "user-3" })
            SyntheticTree.Package(root, name, [], script, $"{{\"docker\": \"{image}\"}}");
    }

    [Fact]
    public async Task A_builder_image_from_a_docker_folder_is_built_once_and_copied_to_the_other_engine_with_its_id()
    {
        using var e1 = await ExtraEngine.StartAsync();
        using var e2 = await ExtraEngine.StartAsync();
        // The FROM image, as a user brings it to the first engine (save/load keeps its id); the second has nothing.
        await e1.LoadFromMainAsync(Builder);
        var toolchain = $"toolchain-{Environment.ProcessId}";
        var image = $"dcos/dcos-builder:{toolchain}_dockerdir-latest";
        using var pooled = ExampleTree.Empty();
        using var local = ExampleTree.Empty();
        Tree(pooled.Root, toolchain);
        Tree(local.Root, toolchain);
        try
        {
            var two = await Cli.RunAsync(["--target", "Build", "--packages-dir", pooled.Root, "--docker-host", $"{e1.Address}#1", $"{e2.Address}#1"]);

            two.ExitCode.ShouldBe(0, two.ToString());
            two.Output.Split('\n').Count(l => l.Contains($"Building builder image dcos/dcos-builder:{toolchain}_dockerdir-", StringComparison.Ordinal)).ShouldBe(1, two.Output);
            var id = await e1.ImageIdAsync(image);
            id.ShouldNotBeNull();
            (await e2.ImageIdAsync(image)).ShouldBe(id);
            two.Output.ShouldContain($"on {e1.Address}");
            two.Output.ShouldContain($"on {e2.Address}");
            (await e2.StartedContainersAsync()).ShouldBeGreaterThan(0);
            (await e1.ContainersAsync()).ShouldBeEmpty();
            (await e2.ContainersAsync()).ShouldBeEmpty();

            // The same image here (save/load, both of its tags): this machine's build does not make it again and
            // gives the same ids and bytes. (A second `docker build` would give another image id, hence other ids.)
            var tags = (await e1.DockerAsync("image", "inspect", "--format", "{{join .RepoTags \" \"}}", image)).Output.Trim();
            var copied = await Tool.RunAsync("sh", "-c", $"docker -H '{e1.Address}' save {tags} | docker load -q");
            copied.ExitCode.ShouldBe(0, copied.Output);
            var one = await Cli.RunAsync(["--target", "Build", "--packages-dir", local.Root]);
            one.ExitCode.ShouldBe(0, one.ToString());
            one.Output.ShouldNotContain("Building builder image");
            var a = Tarballs(local.Root);
            var b = Tarballs(pooled.Root);
            a.Count.ShouldBe(4);
            b.Keys.Order().ShouldBe(a.Keys.Order());
            foreach (var (name, bytes) in a) b[name].ShouldBe(bytes, $"{name} differs between this machine's build and the pooled one");
            // Each package ran in the docker/ folder's image, on whichever engine built it.
            foreach (var path in Directory.GetFiles(Path.Combine(pooled.Root, "cache", "packages"), "*.tar.xz", SearchOption.AllDirectories))
                (await Tarball.ReadAsync(path)).Text("./share/marker").ShouldBe($"made from the docker/ folder of {toolchain}\n", path);
        }
        finally
        {
            // Only our own tags on the shared main engine.
            await Tool.RunAsync("sh", "-c", $"docker images --format '{{{{.Repository}}}}:{{{{.Tag}}}}' dcos/dcos-builder | grep ':{toolchain}_dockerdir-' | xargs -r docker rmi -f");
        }
    }
}
