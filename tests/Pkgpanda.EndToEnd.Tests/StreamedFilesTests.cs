using System.Formats.Tar;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// On an engine that shares no files with us (<see cref="ExtraEngine"/>), a step's files travel on its container's own
/// standard streams where the image can unpack them (root, <c>/bin/sh</c> and <c>tar</c>; busybox's shell finds its
/// own tar even without a link to it), and through the Engine API's
/// archive calls where it cannot: the same files come back either way. Which way they went is read from the engine's
/// own events (<c>extract-to-dir</c> and <c>archive-path</c> are the archive calls).
/// </summary>
[Collection("docker")]
public class StreamedFilesTests
{
    /// <summary>An image of the static busybox with the applets a step uses linked in (<paramref name="withShell"/>: /bin/sh too).</summary>
    private static async Task<string> ImportAsync(ExtraEngine engine, string folder, bool withShell = true)
    {
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.First(File.Exists);
        var rootfs = Path.Combine(folder, $"rootfs-{Guid.NewGuid():N}.tar");
        await using (var file = File.Create(rootfs))
        await using (var tar = new TarWriter(file))
        {
            foreach (var dir in new[] { "bin/", "tmp/", "out/", "proc/" })
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)0b111_111_111 });
            await tar.WriteEntryAsync(busybox, "bin/busybox");
            var applets = new List<string> { "cat", "mkdir", "ln", "chmod", "printf", "echo", "sleep", "kill", "id", "cp", "ls", "rm" };
            if (withShell) applets.Add("sh");
            applets.Add("tar");
            foreach (var applet in applets)
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox", Mode = (UnixFileMode)0b111_111_111 });
        }
        var tag = $"pkgpanda-test-streams:{Guid.NewGuid():N}";
        var imported = await engine.DockerAsync("import", "--change", "ENV PATH=/bin", rootfs, tag);
        imported.ExitCode.ShouldBe(0, imported.Output);
        return tag;
    }

    /// <summary>The archive calls the engine saw for the step named <paramref name="name"/> since <paramref name="since"/>.</summary>
    private static async Task<string[]> ArchiveCallsAsync(ExtraEngine engine, string name, string since)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString();
        // The step's containers by its label (on their create events: archive events carry no labels), then their archive calls.
        var created = await engine.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=container",
            "--filter", $"label={DockerRunner.Label}={name}", "--filter", "event=create", "--format", "{{.Actor.ID}}");
        created.ExitCode.ShouldBe(0, created.Output);
        var ids = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ids.ShouldNotBeEmpty();
        var calls = new List<string>();
        foreach (var id in ids)
        {
            var events = await engine.DockerAsync("events", "--since", since, "--until", until, "--filter", $"container={id}", "--format", "{{.Action}}");
            events.ExitCode.ShouldBe(0, events.Output);
            calls.AddRange(events.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(a => a.StartsWith("extract-to-dir", StringComparison.Ordinal) || a.StartsWith("archive-path", StringComparison.Ordinal)));
        }
        return [.. calls];
    }

    /// <summary>Inputs with a nested folder, an executable, a link and a long name; the script makes the like in its result.</summary>
    private static (BuildStep Step, string Out) Step(string folder, string image, string name, int exitCode = 0)
    {
        var input = Directory.CreateDirectory(Path.Combine(folder, $"in-{name}")).FullName;
        var longName = new string('n', 120) + ".txt";
        Directory.CreateDirectory(Path.Combine(input, "deep", "er"));
        File.WriteAllText(Path.Combine(input, "deep", "er", longName), "long\n");
        File.WriteAllText(Path.Combine(input, "run.sh"), "echo from-input\n");
        File.SetUnixFileMode(Path.Combine(input, "run.sh"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(input, "link"), "run.sh");
        var late = Directory.CreateDirectory(Path.Combine(folder, $"late-{name}")).FullName;
        File.WriteAllText(Path.Combine(late, "require.txt"), "activated\n");
        var output = Directory.CreateDirectory(Path.Combine(folder, $"out-{name}")).FullName;
        // Writable for an image's own user too (its starting content keeps the mode).
        File.SetUnixFileMode(output, (UnixFileMode)0b111_111_111);
        var script = "set -e; mkdir -p /out/bin /out/empty; cp /in/deep/er/* /out/; cat /late/require.txt > /out/bin/req; " +
                     ". /in/run.sh; echo to-stderr >&2; printf 'x\\n' > /out/bin/tool; chmod 0750 /out/bin/tool; " +
                     $"ln -s tool /out/bin/tool-link; ln /out/bin/tool /out/bin/tool-hard; [ \"$(cat /in/link)\" = 'echo from-input' ]; exit {exitCode}";
        return (new BuildStep
        {
            Image = image,
            Command = ["/bin/sh", "-c", script],
            Inputs = [new StepInput(input, "/in"), new StepInput(late, "/late", Deferred: true)],
            Output = new StepOutput(output, "/out"),
            Name = name,
        }, output);
    }

    private static void ShouldHoldTheResult(string output)
    {
        File.ReadAllText(Path.Combine(output, new string('n', 120) + ".txt")).ShouldBe("long\n");
        File.ReadAllText(Path.Combine(output, "bin", "req")).ShouldBe("activated\n");
        File.ReadAllText(Path.Combine(output, "bin", "tool")).ShouldBe("x\n");
        File.GetUnixFileMode(Path.Combine(output, "bin", "tool")).ShouldBe((UnixFileMode)0b111_101_000);
        new FileInfo(Path.Combine(output, "bin", "tool-link")).LinkTarget.ShouldBe("tool");
        File.ReadAllText(Path.Combine(output, "bin", "tool-hard")).ShouldBe("x\n");
        Directory.Exists(Path.Combine(output, "empty")).ShouldBeTrue();
    }

    /// <summary>
    /// Runs <paramref name="test"/> on a fresh extra engine with a temporary folder, a runner for that engine and the
    /// busybox image (root, sh, tar); afterwards nothing of the test's is left on the engine.
    /// </summary>
    private static async Task OnEngineAsync(Func<ExtraEngine, string, DockerRunner, string, Task> test)
    {
        using var engine = await ExtraEngine.StartAsync();
        var folder = Directory.CreateTempSubdirectory("streams-").FullName;
        try
        {
            var image = await ImportAsync(engine, folder);
            using var docker = new DockerRunner(new Uri(engine.Address));
            await test(engine, folder, docker, image);
            await docker.FlushAsync();
            (await engine.ContainersAsync()).ShouldBeEmpty();
        }
        finally { Directory.Delete(folder, true); }
    }

    private static async Task<long> RunAsync(IPreparedStep prepared, List<string> lines) =>
        await prepared.RunAsync(new SyncProgress<string>(l => { lock (lines) lines.Add(l); }), CancellationToken.None);

    [Fact]
    public Task A_step_s_files_travel_on_its_streams_and_come_back_whole_with_its_exit_code_and_log() =>
        OnEngineAsync(async (engine, folder, docker, image) =>
        {
            // Run when it runs, and started at its prepare (the gate then waits for its inputs).
            foreach (var early in new[] { false, true })
            {
                var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString();
                var name = $"streams-{Guid.NewGuid():N}";
                var (step, output) = Step(folder, image, name, exitCode: 3);
                var lines = new List<string>();
                await using (var prepared = await docker.PrepareAsync(step with { StartEarly = early }, CancellationToken.None))
                {
                    var running = (await engine.DockerAsync("ps", "-q")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                    running.Length.ShouldBe(early ? 1 : 0);
                    (await RunAsync(prepared, lines)).ShouldBe(3);
                }
                docker.SharesFiles.ShouldBe(false);
                lines.ShouldBe(["from-input", "to-stderr"]);
                ShouldHoldTheResult(output);
                await docker.FlushAsync();
                (await ArchiveCallsAsync(engine, name, since)).ShouldBeEmpty();
                (await engine.ContainersAsync()).ShouldBeEmpty();
            }
        });

    [Fact]
    public Task A_result_folder_the_script_removed_is_a_fault_not_an_empty_package() =>
        OnEngineAsync(async (_, folder, docker, image) =>
        {
            var (step, _) = Step(folder, image, $"gone-{Guid.NewGuid():N}");
            step = step with { Command = ["/bin/sh", "-c", "rm -rf /out"] };
            // tar cannot pack what is not there: the gate ends without its mark and the engine is asked for the folder.
            var fault = await Should.ThrowAsync<Pkgpanda.Core.EnvironmentFault>(() => docker.RunAsync(step, SyncProgress<string>.Ignore, CancellationToken.None));
            fault.Message.ShouldContain("/out");
        });

    [Fact]
    public Task An_image_that_runs_as_another_user_or_has_no_shell_gets_its_files_through_the_API() =>
        OnEngineAsync(async (engine, folder, docker, plain) =>
        {
            // Another user: its folders writable by that user, as an image made for it would have them.
            var context = Directory.CreateDirectory(Path.Combine(folder, "user")).FullName;
            File.WriteAllText(Path.Combine(context, "Dockerfile"), $"FROM {plain}\nUSER 1000:1000\n");
            var user = $"pkgpanda-test-streams-user:{Guid.NewGuid():N}";
            var built = await engine.DockerAsync("build", "-q", "-t", user, context);
            built.ExitCode.ShouldBe(0, built.Output);
            var noShell = await ImportAsync(engine, folder, withShell: false);
            foreach (var image in new[] { user, noShell })
            {
                var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString();
                var name = $"api-{Guid.NewGuid():N}";
                var (step, output) = Step(folder, image, name);
                // Without /bin/sh the command names busybox's (the step's own command never needs the gate's shell).
                if (image == noShell) step = step with { Command = ["/bin/busybox", .. step.Command] };
                var lines = new List<string>();
                await using (var prepared = await docker.PrepareAsync(step, CancellationToken.None))
                    (await RunAsync(prepared, lines)).ShouldBe(0, image + ": " + string.Join(" | ", lines));
                lines.ShouldContain("from-input");
                ShouldHoldTheResult(output);
                await docker.FlushAsync();
                (await ArchiveCallsAsync(engine, name, since)).ShouldNotBeEmpty(image);
            }
        });
}
