namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Killed and interrupted builds: nothing partial is left under a final name, and the next run completes.</summary>
[Collection("docker")]
public class LifecycleTests
{
    /// <summary>The containers a run made (the engine is shared: other runs' containers are not ours to count).</summary>
    private static async Task<string[]> ContainersOf(int pid)
    {
        var ps = await Tool.RunAsync("docker", "ps", "-a", "--filter", $"label=io.pkgpanda.owner-pid={pid}", "--format", "{{.ID}} {{.Label \"io.pkgpanda.owner-pid\"}}");
        ps.ExitCode.ShouldBe(0, ps.Output);
        return ps.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool ContainerOf(Running run) =>
        Tool.RunAsync("docker", "ps", "--filter", $"label=io.pkgpanda.owner-pid={run.Pid}", "--format", "{{.ID}}").Result.Output.Trim().Length > 0;

    private static string[] Tarballs(ExampleTree tree) =>
        Directory.Exists(Path.Combine(tree.Cache, "packages"))
            ? Directory.GetFiles(Path.Combine(tree.Cache, "packages"), "*.tar.xz", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order().ToArray()
            : [];

    [Fact]
    public async Task A_build_killed_during_the_container_run_does_not_block_the_next_run()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/build"), File.ReadAllText(tree.PathOf("libevent/build")).Replace("set -e", "set -e\necho asleep\nsleep 30"));
        int killed;
        using (var run = new Running(tree.Args("--target", "Build", "--package", "libevent")))
        {
            killed = run.Pid;
            await run.WaitForScriptAsync("libevent", "asleep");
            run.Signal("KILL");
            await run.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
        Tarballs(tree).ShouldBeEmpty();
        File.WriteAllText(tree.PathOf("libevent/build"), File.ReadAllText(tree.PathOf("libevent/build")).Replace("sleep 30", "sleep 0"));
        var next = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        next.ExitCode.ShouldBe(0, next.ToString());
        Tarballs(tree).Single().ShouldStartWith("libevent--");
        BuildTests.ScratchFolders(tree).ShouldBeEmpty();
        (await ContainersOf(killed)).ShouldBeEmpty("the next run on this host removes the killed run's container");
    }

    [Fact]
    public async Task A_build_killed_while_packing_leaves_no_tarball_and_the_rerun_gives_the_same_id()
    {
        using var tree = new ExampleTree();
        // A large, incompressible result makes packing take long enough to be interrupted.
        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/sh\nmkdir -p $PKG_PATH/lib\nhead -c 40000000 /dev/urandom > $PKG_PATH/lib/big.bin\n");
        var folder = Path.Combine(tree.Cache, "packages", "libevent");
        using (var run = new Running(tree.Args("--target", "Build", "--package", "libevent")))
        {
            // Packed in its scratch folder (cache/tmp/<id>.<pid>.<unique>/), then moved into the cache.
            var scratch = Path.Combine(tree.Cache, "tmp");
            await run.WaitUntilAsync(() => Directory.Exists(scratch) &&
                Directory.EnumerateDirectories(scratch).Any(d => Directory.GetFiles(d, ".libevent--*.tar.xz.*.tmp").Length > 0), "packing under a temporary name");
            run.Signal("KILL");
            await run.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
        Tarballs(tree).ShouldBeEmpty();
        File.Exists(Path.Combine(folder, "latest")).ShouldBeFalse();

        var hash = await Cli.RunAsync(tree.Args("--target", "Hash", "--package", "libevent"));
        var next = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        next.ExitCode.ShouldBe(0, next.ToString());
        var built = Tarballs(tree).Single();
        hash.Output.ShouldContain(built[..^".tar.xz".Length]);
        (await Tool.RunAsync("xz", "-t", Path.Combine(folder, built))).ExitCode.ShouldBe(0);
        Directory.GetFiles(folder, "*.tmp").ShouldBeEmpty();
        var left = Directory.Exists(Path.Combine(tree.Cache, "tmp")) ? Directory.GetFileSystemEntries(Path.Combine(tree.Cache, "tmp")) : [];
        left.ShouldBeEmpty("the killed run's scratch folder (with its temporary tarball) is cleaned up by the next build");
    }

    [Fact]
    public async Task Ctrl_C_stops_the_build_removes_its_containers_and_scratch_and_exits_130()
    {
        using var tree = new ExampleTree();
        foreach (var name in new[] { "openssl", "libevent", "boost-libs" })
            File.WriteAllText(tree.PathOf($"{name}/build"), File.ReadAllText(tree.PathOf($"{name}/build")).Replace("set -e", "set -e\nsleep 60"));
        int pid;
        using (var run = new Running(tree.Args("--target", "Build", "--package", "mesos", "--parallel", "3")))
        {
            pid = run.Pid;
            await run.WaitUntilAsync(() => ContainerOf(run), "a container running");
            run.Signal("INT");
            var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(30));
            exit.ShouldBe(130, run.Output);
            // Said once, with the count; not an error per package that never started.
            run.Output.ShouldContain("[WRN] The build was cancelled: 5 packages not built.");
            run.Output.ShouldNotContain("failed to build");
            run.Output.ShouldNotContain("[ERR]");
            run.Output.ShouldMatch(@"\nBuild\s+Aborted", run.Output);
        }
        (await ContainersOf(pid)).ShouldBeEmpty();
        BuildTests.ScratchFolders(tree).ShouldBeEmpty();
        Tarballs(tree).ShouldBeEmpty();

        foreach (var name in new[] { "openssl", "libevent", "boost-libs" })
            File.WriteAllText(tree.PathOf($"{name}/build"), File.ReadAllText(tree.PathOf($"{name}/build")).Replace("sleep 60", "sleep 0"));
        var next = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "mesos"));
        next.ExitCode.ShouldBe(0, next.ToString());
        Tarballs(tree).Length.ShouldBe(5);
    }

    [Fact]
    public async Task Two_processes_building_the_same_tree_at_once_both_succeed()
    {
        using var tree = new ExampleTree();
        var a = Cli.RunAsync(tree.Args("--target", "Build", "--package", "curl"));
        var b = Cli.RunAsync(tree.Args("--target", "Build", "--package", "curl"));
        var results = await Task.WhenAll(a, b);
        results.ShouldAllBe(r => r.ExitCode == 0, string.Join("\n----\n", results.Select(r => r.ToString())));
        Tarballs(tree).Length.ShouldBe(2);
        // Each package was built once; the other process found it up to date.
        (results[0].Output + results[1].Output).Split('\n').Count(l => l.Contains("openssl: built")).ShouldBe(1);
    }
}
