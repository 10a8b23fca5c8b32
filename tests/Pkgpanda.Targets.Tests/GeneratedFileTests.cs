using System.Text.Json;
using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class GeneratedFileTests
{
    [Fact]
    public async Task Every_run_writes_the_schema_of_the_build_parameters()
    {
        using var root = new TestRoot();
        await root.RunAsync(new ParameterBuild(), "--help");
        using var schema = JsonDocument.Parse(File.ReadAllText(root.Nuke("build.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        properties.GetProperty("OutputDir").GetProperty("type").GetString().ShouldBe("string");
        properties.GetProperty("OutputDir").GetProperty("description").GetString().ShouldBe("The output folder");
        properties.GetProperty("Count").GetProperty("type").GetString().ShouldBe("integer");
        properties.GetProperty("Fast").GetProperty("type").GetString().ShouldBe("boolean");
        properties.GetProperty("Names").GetProperty("items").GetProperty("type").GetString().ShouldBe("string");
        properties.GetProperty("Flavour").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["Plain", "ExtraSpicy"]);
        properties.GetProperty("Verbose").GetProperty("type").GetString().ShouldBe("boolean");
        schema.RootElement.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task An_unchanged_schema_is_not_rewritten()
    {
        using var root = new TestRoot();
        await root.RunAsync(new ParameterBuild(), "--help");
        var path = root.Nuke("build.schema.json");
        var written = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        await root.RunAsync(new ParameterBuild(), "--help");
        File.GetLastWriteTimeUtc(path).ShouldBe(written);
        File.WriteAllText(path, "{}");
        await root.RunAsync(new ParameterBuild(), "--help");
        File.ReadAllText(path).ShouldBe(BuildSchema.Render(ParameterBinder.Discover(typeof(ParameterBuild)), ["Default", "Publish"]));
    }

    [Fact]
    public async Task A_generated_file_deleted_or_a_build_class_changed_since_the_last_run_is_written_again()
    {
        using var root = new TestRoot();
        await root.RunAsync(new ParameterBuild(), "--help");
        var path = root.Nuke("build.schema.json");
        var expected = File.ReadAllText(path);
        File.Delete(path);
        await root.RunAsync(new ParameterBuild(), "--help");
        File.ReadAllText(path).ShouldBe(expected);

        (await root.RunAsync(new WorkflowBuild(), "--help")).ExitCode.ShouldBe(0);
        File.Exists(Path.Combine(root.Path, ".github", "workflows", "ci.yml")).ShouldBeTrue();
        File.ReadAllText(path).ShouldBe(BuildSchema.Render(ParameterBinder.Discover(typeof(WorkflowBuild)), ["Build", "Default", "Test"]));
    }

    [Fact]
    public async Task The_workflow_of_a_GitHubActions_attribute_is_generated_from_it()
    {
        using var root = new TestRoot();
        (await root.RunAsync(new WorkflowBuild(), "--help")).ExitCode.ShouldBe(0);
        var yaml = File.ReadAllText(Path.Combine(root.Path, ".github", "workflows", "ci.yml"));
        yaml.ShouldStartWith("# Generated from [GitHubActions(\"ci\")] on WorkflowBuild");
        yaml.ShouldContain("  push:\n    branches: ['main']\n  pull_request:\n");
        yaml.ShouldContain("      - uses: actions/checkout@v4\n");
        yaml.ShouldContain("            .nuke/temp\n            ~/.nuget/packages\n");
        yaml.ShouldContain("        run: ./build.cmd Test\n");
        yaml.ShouldContain("        run: ./build.cmd Build --packages-dir examples/packages\n");
        yaml.ShouldContain("key: packages-${{ runner.os }}-${{ hashFiles('examples/packages/**', '!examples/packages/cache/**') }}");
        yaml.ShouldContain("uses: actions/upload-artifact@v4");
        yaml.ShouldContain("path: examples/packages/cache/packages/**/*.tar.xz");
    }

    [Fact]
    public void Apt_packages_are_installed_before_the_build_runs()
    {
        var graph = new TargetGraph(new WorkflowBuild(), null);
        var yaml = GitHubActionsWorkflow.Render(new GitHubActionsAttribute("x") { InvokedTargets = ["Test"], AptPackages = ["nginx-light", "graphviz"] }, "WorkflowBuild", graph);
        var install = yaml.IndexOf("sudo apt-get install -y -qq nginx-light graphviz\n", StringComparison.Ordinal);
        install.ShouldBeGreaterThan(0);
        yaml.IndexOf("run: ./build.cmd Test", StringComparison.Ordinal).ShouldBeGreaterThan(install);
    }

    [Fact]
    public void A_workflow_naming_a_missing_target_is_refused()
    {
        var graph = new TargetGraph(new WorkflowBuild(), null);
        var error = Should.Throw<TargetsException>(() =>
            GitHubActionsWorkflow.Render(new GitHubActionsAttribute("x") { InvokedTargets = ["Nope"] }, "WorkflowBuild", graph));
        error.Message.ShouldContain("names the target Nope, which does not exist");
    }

    [GitHubActions("ci", InvokedTargets = ["Test"], PackageTargets = ["Build"])]
    private sealed class WorkflowBuild : NukeBuild
    {
        public Target Test => _ => _.Executes(() => { });
        public Target Build => _ => _.Executes(() => { });
        public Target Default => _ => _.DependsOn(Test);
    }
}
