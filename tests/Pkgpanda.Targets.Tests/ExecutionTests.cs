using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class ExecutionTests
{
    [Fact]
    public async Task The_default_target_runs_when_none_is_given()
    {
        using var root = new TestRoot();
        var build = new OrderingBuild();
        var result = await root.RunAsync(build, "");
        result.ExitCode.ShouldBe(0);
        build.Ran.ShouldBe(["Lint", "Restore", "Compile", "Test"]);
        result.Output.ShouldContain("Build succeeded on ");
    }

    [Theory]
    [InlineData("Restore Notes")]
    [InlineData("--target Restore Notes")]
    [InlineData("restore+NOTES")]
    [InlineData("--target restore+notes")]
    public async Task Targets_are_given_positionally_with_target_or_joined_with_plus(string args)
    {
        using var root = new TestRoot();
        var build = new OrderingBuild();
        (await root.RunAsync(build, args)).ExitCode.ShouldBe(0);
        build.Ran.ShouldBe(["Restore", "Notes"]);
    }

    [Fact]
    public async Task An_unknown_target_lists_the_available_ones()
    {
        using var root = new TestRoot();
        var build = new OrderingBuild();
        var result = await root.RunAsync(build, "Deploy");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("Unknown target 'Deploy'. Available targets: Restore, Compile, Test, Pack, Publish, Announce, Notes, Lint, Sign, Default.");
        result.Output.ShouldNotContain("Cleanup"); // unlisted
        build.Ran.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_option_is_refused()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new OrderingBuild(), "Test --no-such-thing 3");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("Unknown option --no-such-thing");
    }

    [Fact]
    public async Task Bare_skip_skips_everything_that_was_not_invoked()
    {
        using var root = new TestRoot();
        var build = new OrderingBuild();
        var result = await root.RunAsync(build, "Test Restore --skip");
        result.ExitCode.ShouldBe(0);
        build.Ran.ShouldBe(["Restore", "Test"]);
        result.Output.ShouldContain("// skipped by --skip");
    }

    [Fact]
    public async Task Skip_with_names_skips_those_and_still_runs_their_dependants()
    {
        using var root = new TestRoot();
        var build = new OrderingBuild();
        (await root.RunAsync(build, "Test --skip compile lint")).ExitCode.ShouldBe(0);
        build.Ran.ShouldBe(["Restore", "Test"]);
    }

    [Fact]
    public async Task Skip_with_an_unknown_name_is_refused()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new OrderingBuild(), "Test --skip Nope");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("Unknown target in --skip 'Nope'");
    }

    [Fact]
    public async Task A_false_condition_skips_with_the_condition_text_as_reason()
    {
        using var root = new TestRoot();
        var build = new ConditionBuild();
        var result = await root.RunAsync(build, "");
        result.ExitCode.ShouldBe(0);
        build.Ran.ShouldBe(["Flip"]);
        result.Output.ShouldContain("// condition false: () => Ready");
        // The dynamic condition is asked after Flip ran, so it sees Ready = true.
        result.Output.ShouldContain("// condition false: () => !Ready");
    }

    [Fact]
    public async Task A_failure_stops_the_build_marks_the_rest_not_run_and_assured_targets_still_run()
    {
        using var root = new TestRoot();
        var build = new FailingBuild { FailCompile = true };
        var result = await root.RunAsync(build, "");
        result.ExitCode.ShouldBe(BuildHost.ExitFailed);
        build.Ran.ShouldBe(["Restore", "Compile", "Report"]);
        result.Output.ShouldContain("compile broke");
        result.Output.ShouldMatch(@"Compile\s+Failed\s+< 1sec\s+// compile broke");
        result.Output.ShouldMatch(@"Docs\s+NotRun");
        result.Output.ShouldMatch(@"Report\s+Succeeded");
        result.Output.ShouldMatch(@"Total\s+< 1sec");
        result.Output.ShouldContain("Build failed on ");
    }

    [Fact]
    public async Task ProceedAfterFailure_lets_independent_targets_run_but_not_dependants()
    {
        using var root = new TestRoot();
        var build = new ProceedingBuild();
        var result = await root.RunAsync(build, "");
        result.ExitCode.ShouldBe(BuildHost.ExitFailed);
        build.Ran.ShouldBe(["Flaky", "Independent"]);
        result.Output.ShouldMatch(@"After\s+NotRun\s+// Flaky failed");
    }

    [Fact]
    public async Task Cancellation_aborts_the_running_target_and_leaves_the_rest_not_run()
    {
        using var cts = new CancellationTokenSource();
        var graph = new TargetGraph(new FailingBuild(), "Default");
        var plan = ExecutionPlanner.Plan(graph, [graph.Default!]);
        plan[0].Definition.Actions.Insert(0, async ct => { await cts.CancelAsync(); ct.ThrowIfCancellationRequested(); });
        var ok = await new BuildExecutor(new LinesOutput()).ExecuteAsync(plan, _ => null, _ => { }, cts.Token);
        ok.ShouldBeFalse();
        plan[0].Status.ShouldBe(ExecutionStatus.Aborted);
        plan.Skip(1).ShouldAllBe(t => t.Status == ExecutionStatus.NotRun);
    }

    [Fact]
    public async Task Help_lists_targets_with_dependencies_the_default_and_parameters()
    {
        using var root = new TestRoot();
        var build = new OrderingBuild();
        var result = await root.RunAsync(build, "--help");
        result.ExitCode.ShouldBe(0);
        build.Ran.ShouldBeEmpty();
        result.Output.ShouldContain("Targets (with their direct dependencies):");
        result.Output.ShouldMatch(@"\n  Test\s+Run the tests  -> Compile\n");
        result.Output.ShouldMatch(@"\n  Default \(default\)\s+-> Test\n");
        result.Output.ShouldContain("--verbose");
        result.Output.ShouldNotContain("Cleanup");
    }

    [Fact]
    public async Task No_nuke_folder_gives_a_clear_message_and_root_overrides_the_search()
    {
        var folder = Directory.CreateTempSubdirectory("no-nuke-").FullName;
        try
        {
            var console = new StringWriter();
            var host = new BuildHost(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(console), Ansi = Spectre.Console.AnsiSupport.No }),
                new Dictionary<string, string>(), folder);
            (await host.RunAsync(new OrderingBuild(), ["Notes"], ["Default"])).ShouldBe(BuildHost.ExitUsage);
            console.ToString().ShouldContain("No .nuke folder in");
            (await host.RunAsync(new OrderingBuild(), ["Notes", "--root", folder], ["Default"])).ShouldBe(0);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task GitHub_Actions_output_groups_targets_and_annotates_errors()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new FailingBuild { FailCompile = true }, "Compile", new() { ["GITHUB_ACTIONS"] = "true" });
        result.Output.ShouldContain("::group::Restore");
        result.Output.ShouldContain("::endgroup::");
        result.Output.ShouldContain("::error::");
        result.Output.ShouldMatch(@"\d\d:\d\d:\d\d \[ERR\]");
    }
}
