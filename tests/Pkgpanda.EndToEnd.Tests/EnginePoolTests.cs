namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// Building on several engines that share no files with this machine (<see cref="ExtraEngine"/>): the same ids and
/// bytes as a local build, one image identity everywhere, nothing left behind, and engines that fail.
/// </summary>
[Collection("docker")]
public class EnginePoolTests
{
    internal const string Builder = "dcos/dcos-builder:dcos-builder_dockerdir-latest";

    private static Dictionary<string, byte[]> Tarballs(string packagesDir) =>
        Directory.GetFiles(Path.Combine(packagesDir, "cache", "packages"), "*.tar.xz", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    /// <summary>A DC/OS-shaped tree: layers of requires, an extra/ folder, and results with links, modes and empty folders.</summary>
    private static void Tree(string root)
    {
        SyntheticTree.Layered(root, 3, 3, 0.3, name => name == "p0-1"
            ? "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/bin $PKG_PATH/lib/empty $PKG_PATH/etc\n" +
              "printf 'hello\\n' > $PKG_PATH/bin/tool\nchmod 0750 $PKG_PATH/bin/tool\nln -s ../bin/tool $PKG_PATH/lib/tool-link\n" +
              "ln $PKG_PATH/bin/tool $PKG_PATH/lib/tool-hard\ncp -r /pkg/extra $PKG_PATH/etc/extra\n"
            : null);
        Directory.CreateDirectory(Path.Combine(root, "p0-1", "extra", "conf.d"));
        File.WriteAllText(Path.Combine(root, "p0-1", "extra", "conf.d", "a.conf"), "x=1\n");
        File.CreateSymbolicLink(Path.Combine(root, "p0-1", "extra", "link"), "conf.d/a.conf");
    }

    [Fact]
    public async Task A_tree_built_on_two_engines_that_share_no_files_has_the_ids_and_bytes_of_a_local_build()
    {
        using var e1 = await ExtraEngine.StartAsync();
        using var e2 = await ExtraEngine.StartAsync();
        // The first engine gets the builder image as a user would bring it (save/load keeps the id); the tool copies it to the second.
        await e1.LoadFromMainAsync(Builder);
        using var local = ExampleTree.Empty();
        using var pooled = ExampleTree.Empty();
        Tree(local.Root);
        Tree(pooled.Root);

        var one = await Cli.RunAsync(["--target", "Build", "--packages-dir", local.Root]);
        var two = await Cli.RunAsync(["--target", "Build", "--packages-dir", pooled.Root, "--docker-host", e1.Address, e2.Address]);

        one.ExitCode.ShouldBe(0, one.ToString());
        two.ExitCode.ShouldBe(0, two.ToString());
        var a = Tarballs(local.Root);
        var b = Tarballs(pooled.Root);
        b.Keys.Order().ShouldBe(a.Keys.Order());
        a.Count.ShouldBe(9);
        foreach (var (name, bytes) in a) b[name].ShouldBe(bytes, $"{name} differs between the local and the pooled build");
        two.Output.ShouldContain($"on {e1.Address}");
        two.Output.ShouldContain($"on {e2.Address}");
        (await e1.StartedContainersAsync()).ShouldBeGreaterThan(0);
        (await e2.StartedContainersAsync()).ShouldBeGreaterThan(0);
        var mainId = (await Tool.RunAsync("docker", "image", "inspect", "--format", "{{.Id}}", Builder)).Output.Trim();
        (await e1.ImageIdAsync(Builder)).ShouldBe(mainId);
        (await e2.ImageIdAsync(Builder)).ShouldBe(mainId);
        (await e1.ContainersAsync()).ShouldBeEmpty();
        (await e2.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_engine_killed_mid_run_costs_no_package()
    {
        using var e1 = await ExtraEngine.StartAsync();
        using var e2 = await ExtraEngine.StartAsync();
        await e1.LoadFromMainAsync(Builder);
        await e2.LoadFromMainAsync(Builder);
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 2, 4, 3);
        using (var run = new Running(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", $"{e1.Address}#2", $"{e2.Address}#2"]))
        {
            await run.WaitUntilAsync(() => run.Output.Contains($"building on {e2.Address}"), "a package building on the second engine");
            e2.Kill();
            var exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));
            exit.ShouldBe(0, run.Output);
            run.Output.ShouldContain($"The Docker engine at {e2.Address} stopped answering");
            run.Output.ShouldContain($"built again after {e2.Address} stopped answering");
            run.Output.ShouldNotContain("This is a bug");
        }
        Tarballs(tree.Root).Count.ShouldBe(8);
        (await e1.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_different_image_under_the_builder_tag_is_refused_naming_both_ids()
    {
        using var e1 = await ExtraEngine.StartAsync();
        // An image under the right name but not the one the ids name: e.g. imported again from busybox on that machine.
        var imported = await Tool.RunAsync("sh", "-c",
            $"docker save {Builder} | tar -xO --wildcards '*/layer.tar' | docker -H '{e1.Address}' import --change 'LABEL other=1' - {Builder}");
        imported.ExitCode.ShouldBe(0, imported.Output);
        var wrong = await e1.ImageIdAsync(Builder);
        var mainId = (await Tool.RunAsync("docker", "image", "inspect", "--format", "{{.Id}}", Builder)).Output.Trim();
        wrong.ShouldNotBeNull();
        wrong.ShouldNotBe(mainId);
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 2, 0);

        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", DockerMain, e1.Address]);

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain($"The Docker engine at {e1.Address} holds a different image under {Builder}");
        result.Output.ShouldContain(wrong[..19]);
        result.Output.ShouldContain(mainId[..19]);
        result.Output.ShouldNotContain("   at ");
        Directory.Exists(Path.Combine(tree.Root, "cache", "packages")).ShouldBeFalse();
    }

    private const string DockerMain = "unix:///var/run/docker.sock";

    [Fact]
    public async Task An_engine_whose_disk_cannot_take_the_builder_image_is_left_out_and_the_others_build_everything()
    {
        using var e1 = await ExtraEngine.StartAsync();
        using var full = await ExtraEngine.StartAsync(dataRootMegabytes: 40);
        await e1.LoadFromMainAsync(Builder);
        // What is left of its disk after dockerd's own files cannot hold the image.
        (await Tool.RunAsync("sh", "-c", $"dd if=/dev/zero of='{full.DataRoot}/filler' bs=1M 2>/dev/null; true")).ExitCode.ShouldBe(0);
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 2, 3, 0);

        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", e1.Address, full.Address]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain($"The Docker engine at {full.Address} cannot be used: it cannot take the image");
        result.Output.ShouldContain("again on the engines left");
        result.Output.ShouldNotContain("   at ");
        Tarballs(tree.Root).Count.ShouldBe(6);
        (await e1.ContainersAsync()).ShouldBeEmpty();
        (await full.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_engine_that_does_not_answer_at_the_start_is_reported_and_left_out()
    {
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 2, 0);
        var dead = $"unix:///run/pkgpanda-test-{Environment.ProcessId}-nothing.sock";

        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", DockerMain, dead]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain($"The Docker engine at {dead} does not answer");
        Tarballs(tree.Root).Count.ShouldBe(2);
    }

    /// <summary>A web server at an engine address: its pings pass (200, "OK"), its answers are not the Engine API's.</summary>
    [Theory]
    [InlineData(200, "its answer is not a Docker engine's")]
    [InlineData(404, "it answered 404 (NotFound) to a Docker engine's ping")]
    public async Task Something_that_is_not_a_Docker_engine_at_an_address_is_named_so_and_left_out(int status, string said)
    {
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 2, 0);
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                // The request's head, up to its blank line (the client sends no body).
                var head = new List<byte>();
                var one = new byte[1];
                while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n') &&
                       await stream.ReadAsync(one, stop.Token) == 1)
                    head.Add(one[0]);
                var reply = $"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply), stop.Token);
            }
        });
        var web = $"tcp://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        try
        {
            var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", DockerMain, web]);

            result.ExitCode.ShouldBe(0, result.ToString());
            result.Output.ShouldContain(said);
            result.Output.ShouldContain(web);
            result.Output.ShouldNotContain("This is a bug");
            result.Output.ShouldNotContain("   at ");
            Tarballs(tree.Root).Count.ShouldBe(2);
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            try { await server; } catch (Exception) { /* stopped */ }
        }
    }

    [Fact]
    public async Task A_run_whose_engines_all_do_not_answer_fails_naming_each_and_starts_no_dockerd()
    {
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 1, 0);
        var dead1 = $"unix:///run/pkgpanda-test-{Environment.ProcessId}-gone1.sock";
        var dead2 = "tcp://127.0.0.1:1";

        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", dead1, dead2]);

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("No Docker engine answers");
        result.Output.ShouldContain(dead1);
        result.Output.ShouldContain(dead2);
        result.Output.ShouldNotContain("Starting dockerd");
        result.Output.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("ftp://build-2", "is not an engine address")]
    [InlineData("unix:///var/run/docker.sock#0", "a whole number of at least 1")]
    [InlineData("build-2:2376", "is not an engine address")]
    public async Task A_malformed_engine_address_is_refused_naming_it(string address, string expected)
    {
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 1, 0);
        var result = await Cli.RunAsync(["--target", "Hash", "--packages-dir", tree.Root, "--docker-host", address]);
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain(address);
        result.Output.ShouldContain(expected);
        result.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task SIGTERM_removes_the_run_s_containers_on_a_remote_engine_within_seconds()
    {
        using var e1 = await ExtraEngine.StartAsync();
        await e1.LoadFromMainAsync(Builder);
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 2, 60);
        using (var run = new Running(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", e1.Address]))
        {
            await run.WaitUntilAsync(() => run.Output.Contains($"building on {e1.Address}"), "a package building on the engine");
            await Task.Delay(1000);
            (await e1.ContainersAsync()).ShouldNotBeEmpty();
            run.Signal("TERM");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(30));
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
            exit.ShouldNotBe(0);
        }
        (await e1.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_builder_image_missing_on_the_first_engine_is_copied_from_another_never_made_again()
    {
        using var e1 = await ExtraEngine.StartAsync();
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 2, 2, 0);
        var local = await Cli.RunAsync(["--target", "Hash", "--packages-dir", tree.Root]);
        var pooled = await Cli.RunAsync(["--target", "Hash", "--packages-dir", tree.Root, "--docker-host", e1.Address, DockerMain]);
        local.ExitCode.ShouldBe(0, local.ToString());
        pooled.ExitCode.ShouldBe(0, pooled.ToString());
        pooled.Output.ShouldContain($"Copied {Builder} from {DockerMain} to {e1.Address}");
        var ids = System.Text.RegularExpressions.Regex.Matches(local.Output, "p[01]-[01]--[0-9a-f]{40}").Select(m => m.Value).Distinct().Order().ToList();
        ids.Count.ShouldBe(4);
        foreach (var id in ids) pooled.Output.ShouldContain(id);
        var mainId = (await Tool.RunAsync("docker", "image", "inspect", "--format", "{{.Id}}", Builder)).Output.Trim();
        (await e1.ImageIdAsync(Builder)).ShouldBe(mainId);
    }
}
