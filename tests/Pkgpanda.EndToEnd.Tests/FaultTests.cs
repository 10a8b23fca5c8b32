using System.Diagnostics;
using System.Security.Cryptography;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// Faults met by ./build.sh as a user runs it: signals while something blocks, kill -9 at several moments, a damaged
/// cache, special files, and a cache that cannot be written. Each ends in one message (no stack trace), within seconds,
/// and leaves a cache the next run can use.
/// </summary>
[Collection("docker")]
public class FaultTests
{
    private static readonly TimeSpan FewSeconds = TimeSpan.FromSeconds(5);

    /// <summary>Every temporary under the cache (files and folders named *.tmp), wherever it is.</summary>
    private static string[] Temporaries(ExampleTree tree) =>
        Directory.Exists(tree.Cache) ? Directory.GetFileSystemEntries(tree.Cache, "*.tmp", SearchOption.AllDirectories) : [];

    private static string[] ScratchFolders(ExampleTree tree) =>
        Directory.Exists(Path.Combine(tree.Cache, "tmp")) ? Directory.GetDirectories(Path.Combine(tree.Cache, "tmp")) : [];

    /// <summary>Containers of one run, by the owner label DockerRunner puts on each (the engine may be shared).</summary>
    private static async Task<string[]> ContainersOf(int pid)
    {
        var ps = await Tool.RunAsync("docker", "ps", "-aq", "--filter", $"label=io.pkgpanda.owner-pid={pid}");
        ps.ExitCode.ShouldBe(0, ps.Output);
        return ps.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static void OneMessageNoTrace(Cli.Result result)
    {
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Output.ShouldNotContain("   at ", Case.Sensitive, result.ToString());
        result.Output.ShouldNotContain("Exception", Case.Sensitive, result.ToString());
        result.Output.ShouldNotContain("This is a bug", Case.Sensitive, result.ToString());
    }

    private const string Asleep = "asleep";

    /// <summary>The script says <see cref="Asleep"/>, then sleeps: <see cref="Running.WaitForScriptAsync"/> sees it run.</summary>
    private static void SleepFirst(ExampleTree tree, string package, int seconds) =>
        File.WriteAllText(tree.PathOf($"{package}/build"), File.ReadAllText(tree.PathOf($"{package}/build")).Replace("set -e", $"set -e\necho {Asleep}\nsleep {seconds}"));

    private static void UrlPackage(ExampleTree tree, string name, string url, byte[] payload) =>
        SyntheticTree.Package(tree.Root, name, [], "#!/bin/sh\nmkdir -p $PKG_PATH\n", $$"""
            {"sources": {"blob": {"kind": "url", "url": "{{url}}", "sha1": "{{Convert.ToHexStringLower(SHA1.HashData(payload))}}"} } }
            """);

    [Fact]
    public async Task Sigterm_during_a_blocked_build_ends_the_run_within_seconds_with_143_and_leaves_nothing()
    {
        using var tree = new ExampleTree();
        SleepFirst(tree, "libevent", 120);
        using var run = new Running(tree.Args("--target", "Build", "--package", "libevent"));
        await run.WaitForScriptAsync("libevent", Asleep);

        var watch = Stopwatch.StartNew();
        run.Signal("TERM");
        var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(30));

        watch.Elapsed.ShouldBeLessThan(FewSeconds, run.Output);
        exit.ShouldBe(143, run.Output);
        (await ContainersOf(run.Pid)).ShouldBeEmpty();
        Temporaries(tree).ShouldBeEmpty();
        ScratchFolders(tree).ShouldBeEmpty();
    }

    /// <summary>A Fetch hung in libgit2, which blocks in native code on a server that accepts and never answers: the token cannot reach it.</summary>
    private static Running HungFetch(ExampleTree tree, TrickleServer server)
    {
        SyntheticTree.Package(tree.Root, "hung", [], "#!/bin/sh\ntrue\n", $$"""
            {"sources": {"code": {"kind": "git", "git": "{{server.Url("repo.git")}}", "ref": "{{new string('a', 40)}}", "ref_origin": "master"} } }
            """);
        return new Running(tree.Args("--target", "Fetch"));
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task A_signal_while_a_fetch_hangs_in_a_synchronous_call_still_ends_the_run_within_seconds(string signal, int code)
    {
        using var server = new TrickleServer([], TrickleServer.Reply.Silent);
        using var tree = ExampleTree.Empty();
        using var run = HungFetch(tree, server);
        await run.WaitUntilAsync(() => server.Requests > 0, "the git fetch connecting");
        await Task.Delay(500);

        var watch = Stopwatch.StartNew();
        run.Signal(signal);
        var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(30));

        watch.Elapsed.ShouldBeLessThan(FewSeconds, run.Output);
        exit.ShouldBe(code, run.Output);
        run.Output.ShouldContain("The run did not stop within 3 s of " + (signal == "INT" ? "Ctrl+C (SIGINT)" : "SIGTERM"), Case.Sensitive, "a forced exit says why");
        Temporaries(tree).ShouldBeEmpty("the half mirror is removed before the forced exit");
    }

    [Fact]
    public async Task A_second_signal_ends_a_hung_run_at_once()
    {
        using var server = new TrickleServer([], TrickleServer.Reply.Silent);
        using var tree = ExampleTree.Empty();
        using var run = HungFetch(tree, server);
        await run.WaitUntilAsync(() => server.Requests > 0, "the git fetch connecting");
        await Task.Delay(500);

        var watch = Stopwatch.StartNew();
        run.Signal("TERM");
        await Task.Delay(300);
        run.Signal("TERM");
        var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(30));

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2.5), "well before the grace period of the first signal ends");
        exit.ShouldBe(143, run.Output);
        Temporaries(tree).ShouldBeEmpty();
    }

    /// <summary>
    /// A well-formed but wrong line in cache/file-hashes (damaged or edited) gives a wrong id; the build finds the
    /// file's real sum, caches nothing, names the cache file and drops the line, and the next run has the right id.
    /// </summary>
    [Fact]
    public async Task A_wrong_sum_in_the_file_hash_cache_is_named_and_dropped_and_the_next_run_has_the_right_id()
    {
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 1, 0);
        // A file changed in the last two seconds is not remembered (git's "racy" rule): the script is older by then.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var first = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root]);
        first.ExitCode.ShouldBe(0, first.ToString());
        var right = Directory.GetFiles(Path.Combine(tree.Root, "cache", "packages", "p0-0"), "*.tar.xz").Single();
        var hashes = Path.Combine(tree.Root, "cache", "file-hashes");
        var lines = File.ReadAllLines(hashes);
        var script = Path.Combine(tree.Root, "p0-0", "build");
        var at = Array.FindIndex(lines, l => l.EndsWith(" " + script, StringComparison.Ordinal));
        at.ShouldBeGreaterThan(0, string.Join("\n", lines));
        lines[at] = new string('0', 40) + lines[at][40..];
        File.WriteAllLines(hashes, lines);

        var wrong = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root]);
        wrong.ExitCode.ShouldNotBe(0);
        wrong.Output.ShouldContain($"{hashes} held a wrong sha1 for {script}, which did not change");
        wrong.Output.ShouldNotContain("changed while");
        Directory.GetFiles(Path.Combine(tree.Root, "cache", "packages", "p0-0"), "*.tar.xz").ShouldBe([right]);

        var next = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root]);
        next.ExitCode.ShouldBe(0, next.ToString());
        next.Output.ShouldContain("0 built, 1 up to date");
        Directory.GetFiles(Path.Combine(tree.Root, "cache", "packages", "p0-0"), "*.tar.xz").ShouldBe([right]);
    }

    [Fact]
    public async Task A_fifo_in_extra_fails_Hash_at_once_naming_it()
    {
        using var tree = new ExampleTree();
        Directory.CreateDirectory(tree.PathOf("libevent/extra"));
        (await Tool.RunAsync("mkfifo", tree.PathOf("libevent/extra/control"))).ExitCode.ShouldBe(0);

        var result = await Cli.RunAsync(tree.Args("--target", "Hash", "--package", "libevent"), timeout: TimeSpan.FromMinutes(2));

        OneMessageNoTrace(result);
        result.Output.ShouldContain(tree.PathOf("libevent/extra/control") + ": is a FIFO (named pipe)");
    }

    [Fact]
    public async Task A_build_killed_with_sigkill_leaves_its_log_temporary_and_scratch_which_the_next_run_sweeps()
    {
        using var tree = new ExampleTree();
        SleepFirst(tree, "libevent", 60);
        int pid;
        using (var run = new Running(tree.Args("--target", "Build", "--package", "libevent")))
        {
            pid = run.Pid;
            await run.WaitForScriptAsync("libevent", Asleep);
            run.Signal("KILL");
            await run.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
        Temporaries(tree).ShouldContain(t => t.EndsWith($".log.{pid}.tmp"), "a killed run cannot clean up its log");
        ScratchFolders(tree).ShouldNotBeEmpty();

        File.WriteAllText(tree.PathOf("libevent/build"), File.ReadAllText(tree.PathOf("libevent/build")).Replace("sleep 60", "sleep 0"));
        var next = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));

        next.ExitCode.ShouldBe(0, next.ToString());
        Temporaries(tree).ShouldBeEmpty();
        ScratchFolders(tree).ShouldBeEmpty();
        (await ContainersOf(pid)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_fetch_killed_mid_download_is_swept_and_a_download_cut_mid_stream_is_retried()
    {
        var payload = RandomNumberGenerator.GetBytes(400_000);
        using var server = new TrickleServer(payload, TrickleServer.Reply.Trickle, TrickleServer.Reply.Cut, TrickleServer.Reply.Full);
        using var tree = ExampleTree.Empty();
        UrlPackage(tree, "blobs", server.Url("blob-1.0.bin"), payload);
        var folder = Path.Combine(tree.Cache, "packages", "blobs", "blob");
        using (var run = new Running(tree.Args("--target", "Fetch")))
        {
            await run.WaitUntilAsync(() => Directory.Exists(folder) && Directory.GetFiles(folder, "*.tmp").Length > 0, "the download under a temporary name");
            run.Signal("KILL");
            await run.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
        Temporaries(tree).ShouldNotBeEmpty();

        var next = await Cli.RunAsync(tree.Args("--target", "Fetch"));

        next.ExitCode.ShouldBe(0, next.ToString());
        server.Requests.ShouldBe(3, "the cut download was tried again");
        File.ReadAllBytes(Path.Combine(folder, "blob-1.0.bin")).ShouldBe(payload);
        Temporaries(tree).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_truncated_cached_tarball_is_not_up_to_date_it_is_set_aside_and_rebuilt()
    {
        using var tree = new ExampleTree();
        var first = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "curl"));
        first.ExitCode.ShouldBe(0, first.ToString());
        var openssl = Directory.GetFiles(Path.Combine(tree.Cache, "packages", "openssl"), "openssl--*.tar.xz").Single();
        var bytes = File.ReadAllBytes(openssl);
        using (var file = new FileStream(openssl, FileMode.Open, FileAccess.Write)) file.SetLength(bytes.Length / 2);

        var hash = await Cli.RunAsync(tree.Args("--target", "Hash", "--package", "curl"));
        hash.Output.ShouldContain("1 cached, 1 to build");
        var again = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "curl"));

        again.ExitCode.ShouldBe(0, again.ToString());
        again.Output.ShouldContain($"{Path.GetFileName(openssl)} is damaged (it has {bytes.Length / 2} bytes, {bytes.Length} were written)");
        File.ReadAllBytes(openssl).ShouldBe(bytes, "the rebuilt tarball is whole (and byte-identical)");
        new FileInfo(openssl + ".corrupt").Length.ShouldBe(bytes.Length / 2);
    }

    [Fact]
    public async Task A_damaged_cached_tarball_is_downloaded_again_from_the_repository()
    {
        using var tree = new ExampleTree();
        var repository = Path.Combine(tree.Repository, "shared-repo");
        Directory.CreateDirectory(repository);
        var publish = await Cli.RunAsync(tree.Args("--target", "Publish", "--package", "libevent", "--repository-url", repository));
        publish.ExitCode.ShouldBe(0, publish.ToString());
        var tarball = Directory.GetFiles(Path.Combine(tree.Cache, "packages", "libevent"), "libevent--*.tar.xz").Single();
        var bytes = File.ReadAllBytes(tarball);
        var damaged = (byte[])bytes.Clone();
        damaged[damaged.Length / 2] ^= 0xFF;
        File.WriteAllBytes(tarball, damaged);

        var build = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent", "--repository-url", repository));

        build.ExitCode.ShouldBe(0, build.ToString());
        build.Output.ShouldContain($"{Path.GetFileName(tarball)} is damaged (its sha256 is ");
        build.Output.ShouldContain("0 built, 0 up to date, 1 downloaded");
        File.ReadAllBytes(tarball).ShouldBe(bytes);
    }

    [Fact]
    public async Task Two_runs_on_one_cache_never_sweep_each_others_work()
    {
        using var tree = new ExampleTree();
        SleepFirst(tree, "libevent", 12);
        using var slow = new Running(tree.Args("--target", "Build", "--package", "libevent"));
        await slow.WaitForScriptAsync("libevent", Asleep);
        var inFlight = Temporaries(tree).Concat(ScratchFolders(tree)).ToList();
        inFlight.ShouldNotBeEmpty();

        var other = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "openssl"));

        other.ExitCode.ShouldBe(0, other.ToString());
        inFlight.Where(p => !Path.Exists(p)).ShouldBeEmpty("the other run's sweep left the live run's temporaries alone");
        (await slow.WaitForExitAsync(TimeSpan.FromMinutes(2))).ShouldBe(0, slow.Output);
        Directory.GetFiles(Path.Combine(tree.Cache, "packages", "libevent"), "libevent--*.log").ShouldHaveSingleItem();
        Temporaries(tree).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_immutable_cache_folder_fails_the_build_with_one_message_naming_it()
    {
        using var tree = new ExampleTree();
        Directory.CreateDirectory(tree.Cache);
        (await Tool.RunAsync("chattr", "+i", tree.Cache)).ExitCode.ShouldBe(0);
        try
        {
            var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
            OneMessageNoTrace(result);
            result.Output.ShouldContain(Path.Combine(tree.Cache, "packages", "libevent"));
            result.Output.ShouldContain($"operation not permitted in {tree.Cache} (is the folder immutable?");
            Directory.GetFileSystemEntries(tree.Cache).ShouldBeEmpty();
        }
        finally { await Tool.RunAsync("chattr", "-i", tree.Cache); }
    }

    [Fact]
    public async Task A_cache_path_that_is_a_file_fails_the_build_naming_it()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.Cache, "not a folder");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        OneMessageNoTrace(result);
        result.Output.ShouldContain($"{tree.Cache} is a file, where a folder is needed");
        File.ReadAllText(tree.Cache).ShouldBe("not a folder");
    }

    [Fact]
    public async Task A_full_disk_under_the_cache_fails_fetch_with_one_message_and_nothing_half_written()
    {
        var payload = RandomNumberGenerator.GetBytes(1 << 20);
        using var server = new TrickleServer(payload, TrickleServer.Reply.Full);
        using var tree = ExampleTree.Empty();
        UrlPackage(tree, "blobs", server.Url("blob-1.0.bin"), payload);
        Directory.CreateDirectory(tree.Cache);
        (await Tool.RunAsync("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", tree.Cache)).ExitCode.ShouldBe(0);
        try
        {
            var result = await Cli.RunAsync(tree.Args("--target", "Fetch"), timeout: TimeSpan.FromMinutes(2));
            OneMessageNoTrace(result);
            result.Output.ShouldContain("cannot write the download: no space left on the device");
            server.Requests.ShouldBe(1, "a full disk is not a network error to retry");
            Directory.GetFiles(tree.Cache, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock")).ShouldBeEmpty();
        }
        finally { await Tool.RunAsync("umount", "-l", tree.Cache); }
    }
}
