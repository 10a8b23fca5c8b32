namespace Pkgpanda.EndToEnd.Tests;

/// <summary>./build.sh as a user runs it: help, mistakes, --skip, --continue and the exit codes.</summary>
[Collection("docker")]
public class FrontDoorCommandLineTests
{
    [Fact]
    public async Task Help_lists_targets_packages_and_parameters_and_exits_0()
    {
        using var root = new FrontDoorRoot();
        var result = await root.RunAsync("--help");
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Targets (with their direct dependencies):");
        result.Output.ShouldMatch(@"\n  Hash \(default\)\s+Compute package ids without building  -> Resolve, Setup\n");
        result.Output.ShouldMatch(@"\n  mesos\s+-> boost-libs, curl, libevent, openssl\n");
        result.Output.ShouldContain("--packages-dir <value>");
        result.Output.ShouldNotContain("[INF]");
    }

    [Fact]
    public async Task An_unknown_target_names_the_available_ones_and_exits_2()
    {
        using var root = new FrontDoorRoot();
        var result = await root.RunAsync("Deploy");
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Output.ShouldMatch(@"Unknown target 'Deploy'\. Available targets: Setup, Resolve, (\w+, )*Hash, (\w+, )*Build, (\w+, )*Test(, \w+)*\.");
    }

    [Theory]
    [InlineData("--builder-image", "Bad Name", "--builder-image Bad Name: not a Docker image name")]
    [InlineData("--docker-host", "bogus://x", "--docker-host: \"bogus://x\" is not an engine address")]
    [InlineData("--repository-url", "ftp://x", "--repository-url ftp://x: a repository is http(s)://..., file://... or a folder")]
    public async Task A_malformed_engine_image_or_repository_is_a_usage_error_before_any_target_runs(string option, string value, string said)
    {
        using var root = new FrontDoorRoot();
        var result = await root.RunAsync("Resolve", option, value);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Output.ShouldContain(said);
        result.Output.ShouldNotMatch(@"Resolve\s+Succeeded");
        result.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task A_value_out_of_range_says_where_it_was_set_when_it_was_not_typed()
    {
        using var root = new FrontDoorRoot();
        var result = await Cli.RunAsync(["Resolve", "--root", root.Root], environment: new Dictionary<string, string> { ["PARALLEL"] = "0" });
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Output.ShouldContain("--parallel 0, set by the environment variable PARALLEL: must be at least 1");
    }

    [Fact]
    public async Task An_unknown_option_exits_2_and_a_failing_target_exits_1()
    {
        using var root = new FrontDoorRoot();
        var typo = await root.RunAsync("Resolve", "--packges-dir", "x");
        typo.ExitCode.ShouldBe(2);
        typo.Output.ShouldContain("Unknown option --packges-dir. Did you mean --packages-dir?");
        var failed = await Cli.RunAsync(["Resolve", "--root", root.Root, "--packages-dir", "no-such-folder"]);
        failed.ExitCode.ShouldBe(1, failed.ToString());
        failed.Output.ShouldMatch(@"Resolve\s+Failed");
        failed.Output.ShouldContain("Build failed on ");
        var ok = await root.RunAsync("resolve");
        ok.ExitCode.ShouldBe(0, ok.ToString());
        ok.Output.ShouldContain("Build succeeded on ");
    }

    [Fact]
    public async Task Skip_skips_the_named_targets_and_bare_skip_everything_not_invoked()
    {
        using var root = new FrontDoorRoot();
        var named = await root.RunAsync("Hash", "--skip", "Setup", "Hash");
        named.ExitCode.ShouldBe(0, named.ToString());
        named.Output.ShouldMatch(@"Setup\s+Skipped\s+// skipped by --skip");
        named.Output.ShouldMatch(@"Hash\s+Skipped\s+// skipped by --skip");
        named.Output.ShouldMatch(@"Resolve\s+Succeeded");

        var bare = await root.RunAsync("Resolve+Fetch", "--skip");
        bare.ExitCode.ShouldBe(0, bare.ToString());
        bare.Output.ShouldMatch(@"Resolve\s+Succeeded");
        bare.Output.ShouldMatch(@"Fetch\s+Succeeded");
    }

    [Fact]
    public async Task Continue_reruns_only_what_did_not_succeed_after_an_injected_failure()
    {
        using var root = new FrontDoorRoot();
        // A FIFO in extra/ fails Hash (its content cannot be hashed), after Resolve and Setup succeeded.
        var extra = Path.Combine(root.Packages, "mesos", "extra");
        Directory.CreateDirectory(extra);
        (await Tool.RunAsync("mkfifo", Path.Combine(extra, "control"))).ExitCode.ShouldBe(0);
        var first = await root.RunAsync("Hash");
        first.ExitCode.ShouldBe(1, first.ToString());
        first.Output.ShouldMatch(@"Setup\s+Succeeded");
        first.Output.ShouldMatch(@"Resolve\s+Succeeded");
        first.Output.ShouldMatch(@"Hash\s+Failed\s+< 1sec\s+// .*mesos/extra/control: is a FIFO");

        Directory.Delete(extra, recursive: true);
        var second = await root.RunAsync("Hash", "--continue");
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Output.ShouldMatch(@"Setup\s+Skipped\s+// succeeded in the previous attempt \(--continue\)");
        second.Output.ShouldMatch(@"Resolve\s+Skipped\s+// succeeded in the previous attempt \(--continue\)");
        second.Output.ShouldMatch(@"Hash\s+Succeeded");
        second.Output.ShouldContain("mesos--");
    }

    [Fact]
    public async Task The_committed_schema_and_workflow_are_what_the_build_generates()
    {
        using var root = new FrontDoorRoot();
        (await root.RunAsync("--help")).ExitCode.ShouldBe(0);
        foreach (var file in new[] { ".nuke/build.schema.json", ".github/workflows/ci.yml" })
            File.ReadAllText(root.PathOf(file)).ShouldBe(await CommittedAsync(file),
                $"the committed {file} is out of date: run ./build.sh --help and commit it.");
    }

    /// <summary>The committed content: every run of ./build.sh regenerates the working-tree copy, so only HEAD can be stale.</summary>
    private static async Task<string> CommittedAsync(string file)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("git", ["-C", Cli.RepoRoot, "show", $"HEAD:{file}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var git = System.Diagnostics.Process.Start(psi)!;
        var content = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        return git.ExitCode == 0 ? content : await File.ReadAllTextAsync(Path.Combine(Cli.RepoRoot, file));
    }

    [Fact]
    public async Task Build_cmd_runs_the_same_front_door_from_bash()
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(Cli.RepoRoot, "build.cmd"), "Nope"])
        {
            WorkingDirectory = Cli.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(2, output);
        output.ShouldContain("Unknown target 'Nope'");
    }
}
