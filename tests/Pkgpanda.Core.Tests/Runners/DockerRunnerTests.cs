using System.Diagnostics;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Tests.Building;

namespace Pkgpanda.Core.Tests.Runners;

/// <summary>The Docker runner against the real engine: output order, faults in words, cancellation, ownership of leftovers.</summary>
public class DockerRunnerTests
{
    private static async Task<(int Exit, string Output)> Docker(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, output);
    }

    private static async Task<string[]> ContainersNamed(string name) =>
        (await Docker("ps", "-a", "--filter", $"label={DockerRunner.Label}={name}", "--format", "{{.ID}}")).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static BuildStep Step(TempTree tree, string script, string name) => new()
    {
        Image = Engine.Image,
        Command = ["/bin/sh", "-c", script],
        Output = new StepOutput(Directory.CreateDirectory(tree.PathOf("out")).FullName, "/out"),
        Name = name,
    };

    [DockerFact]
    public async Task Stdout_and_stderr_reach_the_log_in_the_order_the_script_wrote_them()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var lines = new List<string>();
        // A configure-style "checking ... " without a newline, then the compiler's error on stderr, then more stdout.
        var script = "printf 'checking foo.c... '; sleep 0.3; echo 'cc: error: foo.c:3: bad' >&2; sleep 0.3; echo 'make: *** [all] Error 1'; exit 2";
        var exit = await docker.RunAsync(Step(tree, script, $"order-{Guid.NewGuid():N}"), new Reporting.SyncProgress<string>(lines.Add), CancellationToken.None);
        exit.ShouldBe(2);
        lines.ShouldBe(["checking foo.c... cc: error: foo.c:3: bad", "make: *** [all] Error 1"]);
    }

    [DockerFact]
    public async Task Cancelling_a_step_removes_its_container_within_seconds()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"cancel-{Guid.NewGuid():N}";
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var run = docker.RunAsync(Step(tree, "echo up; sleep 60", name), new Reporting.SyncProgress<string>(_ => started.TrySetResult()), cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var watch = Stopwatch.StartNew();
        cts.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => run);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        (await ContainersNamed(name)).ShouldBeEmpty();
    }

    [DockerFact]
    public async Task A_prepared_step_is_a_created_container_that_sees_a_deferred_input_filled_after_it_was_made()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"prepared-{Guid.NewGuid():N}";
        var later = Directory.CreateDirectory(tree.PathOf("later")).FullName;
        var step = Step(tree, "cat /later/made-after-prepare > /out/seen", name) with { Inputs = [new StepInput(later, "/later", Deferred: true)] };

        await using var prepared = await docker.PrepareAsync(step, CancellationToken.None);
        // Made ahead, not started: it holds no running slot on the engine.
        var (_, state) = await Docker("ps", "-a", "--filter", $"label={DockerRunner.Label}={name}", "--format", "{{.State}}");
        state.Trim().ShouldBe("created");
        await File.WriteAllTextAsync(Path.Combine(later, "made-after-prepare"), "activated requires\n");

        (await prepared.RunAsync(Reporting.SyncProgress<string>.Ignore, CancellationToken.None)).ShouldBe(0);
        (await File.ReadAllTextAsync(tree.PathOf("out/seen"))).ShouldBe("activated requires\n");
        await docker.FlushAsync();
        (await ContainersNamed(name)).ShouldBeEmpty();
    }

    [DockerFact]
    public async Task A_step_started_early_runs_its_command_only_when_run_with_inputs_filled_after_its_start_and_no_stdin()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"early-{Guid.NewGuid():N}";
        var later = Directory.CreateDirectory(tree.PathOf("later")).FullName;
        var script = "echo ran > /out/ran; cat /later/made-after-start > /out/seen; cat > /out/stdin; echo \"$PKG_X\" > /out/env";
        var step = Step(tree, script, name) with
        {
            Inputs = [new StepInput(later, "/later", Deferred: true)],
            Environment = new Dictionary<string, string> { ["PKG_X"] = "kept" },
            StartEarly = true,
        };

        await using var prepared = await docker.PrepareAsync(step, CancellationToken.None);
        // Started (the engine's start-up is behind us), its command held back: nothing ran yet.
        var (_, state) = await Docker("ps", "-a", "--filter", $"label={DockerRunner.Label}={name}", "--format", "{{.State}}");
        state.Trim().ShouldBe("running");
        await Task.Delay(500);
        File.Exists(tree.PathOf("out/ran")).ShouldBeFalse();
        await File.WriteAllTextAsync(Path.Combine(later, "made-after-start"), "activated requires\n");

        (await prepared.RunAsync(Reporting.SyncProgress<string>.Ignore, CancellationToken.None)).ShouldBe(0);
        (await File.ReadAllTextAsync(tree.PathOf("out/seen"))).ShouldBe("activated requires\n");
        (await File.ReadAllTextAsync(tree.PathOf("out/stdin"))).ShouldBe("");   // the script reads no input, as before
        (await File.ReadAllTextAsync(tree.PathOf("out/env"))).ShouldBe("kept\n");
        await docker.FlushAsync();
        (await ContainersNamed(name)).ShouldBeEmpty();
    }

    [DockerFact]
    public async Task A_step_started_early_ends_with_its_exit_code_and_output_once_what_it_left_running_is_gone()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var lines = new List<string>();
        // A daemon left behind that would write into the result after the script ended, the last lines on stderr and
        // without a newline.
        var script = "(sleep 2; echo late > /out/late) & echo first; echo 'make: *** Error 1' >&2; printf 'no newline' >&2; exit 3";
        var name = $"early-end-{Guid.NewGuid():N}";
        await using var prepared = await docker.PrepareAsync(Step(tree, script, name) with { StartEarly = true }, CancellationToken.None);
        var (_, state) = await Docker("ps", "-a", "--filter", $"label={DockerRunner.Label}={name}", "--format", "{{.State}}");
        state.Trim().ShouldBe("running", "started early, behind the gate");

        (await prepared.RunAsync(new Reporting.SyncProgress<string>(lines.Add), CancellationToken.None)).ShouldBe(3);

        lines.ShouldBe(["first", "make: *** Error 1", "no newline"], "every line, in order; the gate's own last line is not the step's output");
        await Task.Delay(2500);
        File.Exists(tree.PathOf("out/late")).ShouldBeFalse("what the script left running was ended with it");
    }

    [DockerFact]
    public async Task A_step_started_early_that_never_runs_never_runs_its_command_and_leaves_no_container()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"early-unused-{Guid.NewGuid():N}";
        var prepared = await docker.PrepareAsync(Step(tree, "echo ran > /out/ran", name) with { StartEarly = true }, CancellationToken.None);
        await prepared.DisposeAsync();
        await docker.FlushAsync();
        (await ContainersNamed(name)).ShouldBeEmpty();
        File.Exists(tree.PathOf("out/ran")).ShouldBeFalse();
    }

    [DockerFact]
    public async Task A_prepare_cancelled_at_any_moment_leaves_no_container()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"cancelled-{Guid.NewGuid():N}";
        var step = Step(tree, "echo never", name);
        await (await docker.PrepareAsync(step, CancellationToken.None)).DisposeAsync();   // the file-sharing probe is behind us
        var cancelledMidway = 0;
        // Cancelled a little later each time, so some land while the engine is creating the container (a SIGTERM then).
        for (var i = 0; i < 40; i++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(i * 2));
            try { await (await docker.PrepareAsync(step with { StartEarly = i % 2 == 0 }, cancel.Token)).DisposeAsync(); }
            catch (OperationCanceledException) { cancelledMidway++; }
        }
        await docker.FlushAsync();
        cancelledMidway.ShouldBeGreaterThan(0);
        (await ContainersNamed(name)).ShouldBeEmpty();
    }

    [DockerFact]
    public async Task A_step_whose_image_has_no_shell_to_wait_in_is_started_when_it_runs()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        // An image of one static busybox at /bin/busybox: no /bin/sh to hold the command back with.
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.First(File.Exists);
        var rootfs = tree.PathOf("rootfs.tar");
        await using (var file = File.Create(rootfs))
        await using (var tar = new System.Formats.Tar.TarWriter(file))
        {
            await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "bin/"));
            await tar.WriteEntryAsync(busybox, "bin/busybox");
            await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "out/"));
        }
        var tag = $"pkgpanda-test-noshell:{Guid.NewGuid():N}";
        (await Docker("import", rootfs, tag)).Exit.ShouldBe(0);
        try
        {
            var name = $"noshell-{Guid.NewGuid():N}";
            var step = Step(tree, "", name) with { Image = tag, Command = ["/bin/busybox", "sh", "-c", "echo ran > /out/ran"], StartEarly = true };
            await using var prepared = await docker.PrepareAsync(step, CancellationToken.None);
            (await prepared.RunAsync(Reporting.SyncProgress<string>.Ignore, CancellationToken.None)).ShouldBe(0);
            (await File.ReadAllTextAsync(tree.PathOf("out/ran"))).ShouldBe("ran\n");
            await docker.FlushAsync();
            (await ContainersNamed(name)).ShouldBeEmpty();
        }
        finally
        {
            await Docker("rmi", "-f", tag);
        }
    }

    [DockerFact]
    public async Task A_prepared_step_that_never_runs_leaves_no_container_once_the_run_flushes()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"unused-{Guid.NewGuid():N}";
        var prepared = await docker.PrepareAsync(Step(tree, "echo never", name), CancellationToken.None);
        (await ContainersNamed(name)).Length.ShouldBe(1);
        await prepared.DisposeAsync();
        await docker.FlushAsync();
        (await ContainersNamed(name)).ShouldBeEmpty();
    }

    [DockerFact]
    public async Task An_engine_that_shares_our_files_gets_them_bound_and_gives_the_output_back()
    {
        using var tree = new TempTree();
        tree.File("in/data.txt", "input\n");
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var step = Step(tree, "cat /in/data.txt > /out/copy.txt", $"bind-{Guid.NewGuid():N}") with { Inputs = [new StepInput(tree.PathOf("in"), "/in")] };
        (await docker.RunAsync(step, Reporting.SyncProgress<string>.Ignore, CancellationToken.None)).ShouldBe(0);
        docker.SharesFiles.ShouldBe(true);
        File.ReadAllText(tree.PathOf("out/copy.txt")).ShouldBe("input\n");
        Directory.GetFiles(tree.PathOf("out"), ".pkgpanda-probe-*").ShouldBeEmpty();
    }

    [DockerFact]
    public async Task A_mount_the_engine_cannot_make_is_one_message_naming_the_engine_and_the_cause()
    {
        using var tree = new TempTree();
        tree.File("not-a-folder", "x");
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var name = $"mount-{Guid.NewGuid():N}";
        var step = Step(tree, "true", name) with { Inputs = [new StepInput(tree.PathOf("not-a-folder"), "/etc")] };
        var fault = await Should.ThrowAsync<EnvironmentFault>(() => docker.RunAsync(step, Reporting.SyncProgress<string>.Ignore, CancellationToken.None));
        fault.Message.ShouldContain(docker.Address);
        fault.Message.ShouldContain(name);
        fault.Message.ShouldNotContain("DockerApiException");
        fault.Message.ShouldNotContain(" at Docker.");
        (await ContainersNamed(name)).ShouldBeEmpty();
    }

    [DockerFact]
    public async Task An_invalid_image_reference_is_the_user_s_mistake_told_in_words()
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var error = await Should.ThrowAsync<BuildError>(() => docker.GetImageIdAsync("Not A Valid::Image", CancellationToken.None));
        error.Message.ShouldContain("\"Not A Valid::Image\" is not a valid Docker image reference");
        error.Message.ShouldNotContain("DockerApiException");
    }

    [DockerFact]
    public async Task An_image_missing_from_the_engine_is_named_with_the_engine()
    {
        using var tree = new TempTree();
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var missing = "sha256:" + new string('0', 64);
        var fault = await Should.ThrowAsync<EnvironmentFault>(() => docker.RunAsync(Step(tree, "true", $"missing-{Guid.NewGuid():N}") with { Image = missing },
            Reporting.SyncProgress<string>.Ignore, CancellationToken.None));
        fault.Message.ShouldContain(docker.Address);
        fault.Message.ShouldContain(missing);
    }

    [Fact]
    public async Task An_engine_that_is_not_there_is_lost_with_its_address_and_cause()
    {
        using var docker = new DockerRunner(new Uri($"unix:///tmp/pkgpanda-no-engine-{Guid.NewGuid():N}.sock"));
        (await docker.TryPingAsync(CancellationToken.None)).ShouldNotBeNull();
        var lost = await Should.ThrowAsync<EngineLost>(() => docker.TryGetImageIdAsync("busybox", CancellationToken.None));
        lost.Message.ShouldContain(docker.Address);
        BuildError.IsExpected(lost).ShouldBeTrue();
    }

    [DockerFact]
    public async Task The_sweep_removes_this_host_s_containers_of_runs_that_are_gone_and_never_another_host_s()
    {
        var tag = Guid.NewGuid().ToString("N");
        async Task<string> Create(string host, string run)
        {
            var (exit, output) = await Docker("create", "--network", "none", "--label", $"{DockerRunner.Label}=sweep-{tag}", "--label", $"{DockerRunner.HostLabel}={host}",
                "--label", $"{DockerRunner.RunLabel}={run}", Engine.Image, "true");
            exit.ShouldBe(0, output);
            return output.Trim();
        }
        var mineDead = await Create(LocalHost.Identity, "999999999-1");
        var mineAlive = await Create(LocalHost.Identity, LocalHost.RunId);
        // Another machine on the same engine, whose run happens to have a pid that is dead here: not ours to judge.
        var otherHost = await Create("build-2/0123456789abcdef", "999999999-1");
        try
        {
            using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
            // Another run on this machine may sweep first: the count is not ours to assert, what is left is.
            await docker.RemoveAbandonedAsync(CancellationToken.None);
            var left = await ContainersNamed($"sweep-{tag}");
            left.ShouldNotContain(id => mineDead.StartsWith(id));
            left.ShouldContain(id => mineAlive.StartsWith(id));
            left.ShouldContain(id => otherHost.StartsWith(id));
        }
        finally
        {
            await Docker("rm", "-f", mineDead, mineAlive, otherHost);
        }
    }
}
