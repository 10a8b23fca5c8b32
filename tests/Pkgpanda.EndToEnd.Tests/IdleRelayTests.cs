using System.Diagnostics;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// An engine reached through a relay that closes idle connections (socat -T, an SSH forward or a proxy with an idle
/// timeout): the one silent request of a build, the wait for its container's end, is cut off while the container
/// runs on. The build is not lost for it.
/// </summary>
[Collection("docker")]
public class IdleRelayTests
{
    [Fact]
    public async Task Builds_longer_than_the_relay_idle_timeout_succeed_whether_they_print_or_not()
    {
        using var tree = ExampleTree.Empty();
        void Package(string name, string script)
        {
            Directory.CreateDirectory(Path.Combine(tree.Root, name));
            File.WriteAllText(Path.Combine(tree.Root, name, "buildinfo.json"), "{}");
            var build = Path.Combine(tree.Root, name, "build");
            File.WriteAllText(build, "#!/bin/sh\nset -e\n" + script + "mkdir -p $PKG_PATH/lib\necho done > $PKG_PATH/lib/" + name + "\n");
            File.SetUnixFileMode(build, (UnixFileMode)0b111_101_101);
        }
        Package("ticking", "for i in 1 2 3 4 5; do echo tick $i; sleep 1; done\n");
        Package("silent", "echo before the silence\nsleep 4\necho after the silence\n");
        await using var relay = await IdleRelay.StartAsync("/var/run/docker.sock", "local");

        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", relay.Address]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("2 built");
        result.Output.ShouldNotContain("broke off");
        foreach (var name in new[] { "ticking", "silent" })
            Directory.GetFiles(Path.Combine(tree.Root, "cache", "packages", name), "*.tar.xz").Length.ShouldBe(1, name);
        // The relay cut the silent one's output stream while it slept: what it printed after comes from the engine's log, once.
        Log(tree, "silent").ShouldBe(["before the silence", "after the silence"]);
        Log(tree, "ticking").ShouldBe(["tick 1", "tick 2", "tick 3", "tick 4", "tick 5"]);
    }

    private static string[] Log(ExampleTree tree, string package) =>
        File.ReadAllLines(Directory.GetFiles(Path.Combine(tree.Root, "cache", "packages", package), "*.log").Single());

    /// <summary>
    /// A package's container is started early, while its require builds, and its connection idles until then: the
    /// relay closes it. The package is built in a container started when it runs (its script never ran in the first),
    /// on an engine that binds our files and on one that does not (whose inputs travel on that connection).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_container_started_early_whose_idle_connection_is_cut_is_replaced_and_the_package_built(bool remote)
    {
        using var engine = remote ? await ExtraEngine.StartAsync() : null;
        if (engine is not null) await engine.LoadFromMainAsync(EnginePoolTests.Builder);
        var target = engine is null ? "/var/run/docker.sock" : new Uri(engine.Address).AbsolutePath;
        using var tree = ExampleTree.Empty();
        // Three in a chain, each silent for 4 s before its last line: the second is started early and cut off while it
        // waits; the third is made after that, not started early, its stream opened ahead and idle until it runs.
        SyntheticTree.Layered(tree.Root, 3, 1, 0, name => "#!/bin/sh\nset -e\necho start $PKG_NAME\nsleep 4\necho end $PKG_NAME\n" +
                                                          "mkdir -p \"$PKG_PATH/lib\"\necho \"$PKG_ID\" > \"$PKG_PATH/lib/$PKG_NAME.id\"\n");
        await using var relay = await IdleRelay.StartAsync(target, remote ? "remote" : "local");

        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, "--docker-host", relay.Address]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("3 built");
        result.Output.ShouldNotContain("broke off");
        // Locally the engine's log gives what came after the cut; an engine that shares no files keeps none (the result
        // travels on the cut stream), and the log says what is missing.
        foreach (var name in new[] { "p0-0", "p1-0", "p2-0" })
            if (remote) Log(tree, name).ShouldSatisfyAllConditions(
                l => l[0].ShouldBe($"start {name}"), l => l[^1].ShouldContain("the connection to the engine was cut while the step was silent"));
            else Log(tree, name).ShouldBe([$"start {name}", $"end {name}"], name);
        if (engine is not null) (await engine.ContainersAsync()).ShouldBeEmpty();
    }

    /// <summary>socat relaying a unix socket to an engine's, closing any connection idle for 2 s (as SSH forwards and proxies do).</summary>
    private sealed class IdleRelay : IAsyncDisposable
    {
        private readonly Process _socat;
        private readonly string _socket;

        private IdleRelay(Process socat, string socket) => (_socat, _socket) = (socat, socket);

        public string Address => $"unix://{_socket}";

        public static async Task<IdleRelay> StartAsync(string engineSocket, string name)
        {
            if (!File.Exists("/usr/bin/socat")) throw new InvalidOperationException("this test needs socat (apt-get install socat, as .ci/run does)");
            var socket = $"/run/pkgpanda-test-{Environment.ProcessId}-idle-{name}.sock";
            File.Delete(socket);
            var relay = new IdleRelay(Process.Start(new ProcessStartInfo("socat", ["-T", "2", $"UNIX-LISTEN:{socket},fork", $"UNIX-CONNECT:{engineSocket}"]))!, socket);
            for (var i = 0; i < 50 && !File.Exists(socket); i++) await Task.Delay(100);
            return relay;
        }

        public async ValueTask DisposeAsync()
        {
            _socat.Kill();
            await _socat.WaitForExitAsync();
            _socat.Dispose();
            File.Delete(_socket);
        }
    }
}
