using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class PlanningTests
{
    private static List<string> PlanOf(string invoked)
    {
        var graph = new TargetGraph(new OrderingBuild(), "Default");
        ExecutionPlanner.Validate(graph);
        var targets = invoked.Split(' ').Select(n => graph.Find(n)!).ToList();
        return ExecutionPlanner.Plan(graph, targets).Select(t => t.Name).ToList();
    }

    [Fact]
    public void Dependencies_run_before_their_dependants()
    {
        PlanOf("Test").ShouldBe(["Lint", "Restore", "Compile", "Test"]);
    }

    [Fact]
    public void DependentFor_and_Before_are_the_reverse_relations()
    {
        var plan = PlanOf("Compile");
        plan.ShouldContain("Lint");
        plan.IndexOf("Lint").ShouldBeLessThan(plan.IndexOf("Restore"));
    }

    [Fact]
    public void After_orders_only_when_both_are_scheduled()
    {
        PlanOf("Pack").ShouldNotContain("Test");
        var both = PlanOf("Pack Test");
        both.IndexOf("Test").ShouldBeLessThan(both.IndexOf("Pack"));
    }

    [Fact]
    public void Triggers_are_scheduled_transitively_with_their_dependencies_after_the_trigger()
    {
        var plan = PlanOf("Publish");
        plan.ShouldContain("Announce");
        plan.ShouldContain("Notes");
        plan.ShouldContain("Cleanup");
        plan.IndexOf("Publish").ShouldBeLessThan(plan.IndexOf("Announce"));
        plan.IndexOf("Announce").ShouldBeLessThan(plan.IndexOf("Cleanup"));
        plan.IndexOf("Notes").ShouldBeLessThan(plan.IndexOf("Announce"));
    }

    [Fact]
    public void TriggeredBy_is_the_reverse_of_Triggers()
    {
        var plan = PlanOf("Pack");
        plan.ShouldContain("Sign");
        plan.IndexOf("Pack").ShouldBeLessThan(plan.IndexOf("Sign"));
    }

    [Fact]
    public void Targets_are_found_without_case_dashes_or_underscores()
    {
        var graph = new TargetGraph(new OrderingBuild(), null);
        graph.Find("publish")!.Name.ShouldBe("Publish");
        graph.Find("PUB-LISH")!.Name.ShouldBe("Publish");
        graph.Find("pub_lish")!.Name.ShouldBe("Publish");
        graph.Find("nope").ShouldBeNull();
    }

    [Fact]
    public void A_cycle_is_reported_with_all_of_its_members()
    {
        var graph = new TargetGraph(new CycleBuild(), null);
        var error = Should.Throw<TargetsException>(() => ExecutionPlanner.Validate(graph));
        error.Message.ShouldBe("Circular dependency between targets: A -> B -> C -> A.");
    }

    [Fact]
    public async Task A_cycle_fails_the_run_with_the_usage_exit_code()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new CycleBuild(), "Default");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("A -> B -> C -> A");
    }

    [Fact]
    public void A_default_target_given_as_a_delegate_is_the_property_that_returns_it()
    {
        var build = new OrderingBuild();
        TargetGraph.PropertyOf(build, build.Test).ShouldBe("Test");
        TargetGraph.PropertyOf(build, build.Cleanup).ShouldBe("Cleanup");
        TargetGraph.PropertyOf(build, _ => _).ShouldBeNull();
    }

    [Theory]
    [InlineData("() => ApiKey", "ApiKey")]
    [InlineData("() => this.ApiKey", "ApiKey")]
    [InlineData("() => Settings.Url!", "Url")]
    [InlineData("() => @class", "class")]
    [InlineData("() => Key ?? Fallback", "Key ?? Fallback")]
    public void A_required_parameter_is_named_from_the_lambda_s_text(string expression, string member)
    {
        TargetDefinition.MemberOf(expression).ShouldBe(member);
    }
}
