using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class ContinueTests
{
    [Fact]
    public async Task Continue_skips_the_targets_that_succeeded_in_the_failed_attempt()
    {
        using var root = new TestRoot();
        var marker = Path.Combine(root.Path, "fail");
        File.WriteAllText(marker, "");
        var args = $"Test --marker {marker}";

        var first = new FailingBuild();
        (await root.RunAsync(first, args)).ExitCode.ShouldBe(BuildHost.ExitFailed);
        first.Ran.ShouldBe(["Restore", "Compile"]);

        File.Delete(marker);
        var second = new FailingBuild();
        var result = await root.RunAsync(second, args + " --continue");
        result.ExitCode.ShouldBe(0);
        second.Ran.ShouldBe(["Compile", "Test"]);
        result.Output.ShouldMatch(@"Restore\s+Skipped\s+// succeeded in the previous attempt \(--continue\)");
    }

    [Fact]
    public async Task Continue_after_a_success_or_for_another_invocation_runs_everything()
    {
        using var root = new TestRoot();
        var marker = Path.Combine(root.Path, "fail");
        File.WriteAllText(marker, "");
        (await root.RunAsync(new FailingBuild(), $"Test --marker {marker}")).ExitCode.ShouldBe(BuildHost.ExitFailed);

        var other = new FailingBuild();
        await root.RunAsync(other, $"Compile --marker {marker}x --continue");
        other.Ran.ShouldBe(["Restore", "Compile"]);

        var again = new FailingBuild();
        (await root.RunAsync(again, $"Compile --marker {marker}x --continue")).ExitCode.ShouldBe(0);
        again.Ran.ShouldBe(["Restore", "Compile"]);
    }

    [Fact]
    public async Task A_run_without_continue_forgets_the_earlier_attempt()
    {
        using var root = new TestRoot();
        var marker = Path.Combine(root.Path, "fail");
        File.WriteAllText(marker, "");
        var args = $"Test --marker {marker}";
        await root.RunAsync(new FailingBuild(), args);                        // Restore succeeds, Compile fails
        await root.RunAsync(new FailingBuild { FailRestore = true }, args);   // a fresh attempt: Restore fails
        File.Delete(marker);
        var resumed = new FailingBuild();
        await root.RunAsync(resumed, args + " --continue");
        resumed.Ran.ShouldBe(["Restore", "Compile", "Test"]);
    }

    [Fact]
    public void The_invocation_ignores_continue_and_the_output_options_only()
    {
        ContinueState.InvocationOf(["Test", "--continue"]).ShouldBe(ContinueState.InvocationOf(["Test"]));
        ContinueState.InvocationOf(["Test", "--x", "1"]).ShouldNotBe(ContinueState.InvocationOf(["Test"]));
        ContinueState.InvocationOf(["Test", "--x", "1", "--verbosity", "quiet", "--no-logo", "--host=terminal", "--continue"])
            .ShouldBe(ContinueState.InvocationOf(["Test", "--x", "1"]));
        ContinueState.InvocationOf(["Test", "--verbosity", "quiet", "--x", "1"]).ShouldBe(ContinueState.InvocationOf(["Test", "--x", "1"]));
        ContinueState.InvocationOf(["Test", "--no-logo", "--x", "2"]).ShouldNotBe(ContinueState.InvocationOf(["Test", "--x", "1"]));
    }
}
