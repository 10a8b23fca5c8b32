using System.Text.Json;
using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class PackageNodeTests
{
    [Fact]
    public async Task Running_targets_does_not_load_the_packages()
    {
        using var root = new TestRoot();
        var build = new PackageBuild();
        (await root.RunAsync(build, "Build")).ExitCode.ShouldBe(0);
        build.Ran.ShouldBe(["Setup", "Build"]);
        build.PackageLoads.ShouldBe(0);
    }

    [Fact]
    public async Task Help_lists_the_packages_of_the_selection_with_their_requires()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new PackageBuild(), "--help --package mesos");
        result.ExitCode.ShouldBe(0);
        result.Output.ShouldMatch(@"\n  Build\s+-> Setup\n");
        result.Output.ShouldContain("Packages of the current selection");
        result.Output.ShouldMatch(@"\n  mesos\s+-> curl, libevent \(fast\)\n");
        result.Output.ShouldNotContain("zlib");
    }

    [Fact]
    public async Task Plan_json_has_targets_plan_order_and_packages_with_ids()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new PackageBuild(), "Build --plan --plan-format json");
        result.ExitCode.ShouldBe(0);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("plan").EnumerateArray().Select(e => e.GetString()).ShouldBe(["Setup", "Build"]);
        var packages = json.RootElement.GetProperty("packages").EnumerateArray().ToList();
        packages.Count.ShouldBe(5);
        packages[0].GetProperty("id").GetString().ShouldBe("openssl--aaaaaaaaaaaaaaaaaaaa");
        packages[0].GetProperty("cached").GetBoolean().ShouldBeTrue();
        packages[3].GetProperty("requires").EnumerateArray().Select(e => e.GetString()).ShouldBe(["curl", "libevent (fast)"]);
    }

    [Fact]
    public async Task Plan_shows_packages_without_ids_when_ids_cannot_be_computed()
    {
        using var root = new TestRoot();
        var build = new PackageBuild { FailIds = true };
        var result = await root.RunAsync(build, "Build --plan --plan-format json");
        result.ExitCode.ShouldBe(0);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("packages").EnumerateArray().ShouldAllBe(p => p.GetProperty("id").ValueKind == JsonValueKind.Null);
        json.RootElement.GetProperty("packagesNote").GetString().ShouldBe("Package ids are not shown: no engine");
        build.Ran.ShouldBeEmpty();
    }

    [Fact]
    public async Task Plan_writes_the_page_prints_its_path_and_runs_nothing()
    {
        using var root = new TestRoot();
        var build = new PackageBuild();
        var result = await root.RunAsync(build, "Build --plan", new() { ["CI"] = "true" });
        result.ExitCode.ShouldBe(0);
        build.Ran.ShouldBeEmpty();
        var page = Path.Combine(root.Path, ".nuke", "temp", "execution-plan.html");
        result.Output.Trim().ShouldBe(page);
        var html = File.ReadAllText(page);
        html.ShouldContain("data-name=\"mesos\"");
        html.ShouldContain("data-name=\"Setup\"");
        html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", "").ShouldNotContain("://", Case.Insensitive, "nothing may be fetched");
    }
}
