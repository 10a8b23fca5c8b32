using System.Text;
using Pkgpanda.Targets;
using Pkgpanda.Targets.Components;

namespace Pkgpanda.Targets.Tests;

/// <summary>
/// A consumer's build is a few lines on <see cref="PkgpandaBuild"/>: its own targets depend on ours, it overrides a
/// parameter's default and a target, and Core's errors reach its users in flags. (Resolve needs no engine.)
/// </summary>
public class ComponentTests
{
    private sealed class Consumer : PkgpandaBuild
    {
        public readonly List<string> Ran = [];

        public Consumer() => PackagesDir = "tree";

        Target Deploy => _ => _
            .Description("Ship what was resolved")
            .DependsOn(Resolve)
            .Executes(() => Ran.Add($"Deploy after {Graph.Order.Count} packages"));

        public override Target Hash => _ => _
            .DependsOn(Resolve)
            .Executes(() => Ran.Add("my Hash"));
    }

    private static TestRoot TreeRoot()
    {
        var root = new TestRoot();
        foreach (var (name, requires) in new[] { ("base", ""), ("app", "\"base\"") })
        {
            var dir = Directory.CreateDirectory(Path.Combine(root.Path, "tree", name)).FullName;
            File.WriteAllText(Path.Combine(dir, "buildinfo.json"), $"{{\"requires\": [{requires}]}}");
            File.WriteAllText(Path.Combine(dir, "build"), "#!/bin/sh\n", new UTF8Encoding(false));
        }
        return root;
    }

    [Fact]
    public async Task A_consumer_target_depends_on_ours_and_reads_the_tree_of_its_own_default()
    {
        using var root = TreeRoot();
        var build = new Consumer();
        var result = await root.RunAsync(build, "Deploy", defaultTarget: "Hash");
        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldMatch(@"Resolve\s+Succeeded[\s\S]*Deploy\s+Succeeded");
        build.Ran.ShouldBe(["Deploy after 2 packages"]);
    }

    [Fact]
    public async Task An_overridden_target_replaces_ours_and_help_lists_the_component_first()
    {
        using var root = TreeRoot();
        var build = new Consumer();
        var result = await root.RunAsync(build, "Hash", defaultTarget: "Hash");
        result.ExitCode.ShouldBe(0, result.Output);
        build.Ran.ShouldBe(["my Hash"]); // ours depends on Setup (the engine); this one does not

        var help = await root.RunAsync(new Consumer(), "--help", defaultTarget: "Hash");
        var names = help.Output.Split('\n').Select(l => l.Trim().Split(' ')[0]).ToList();
        names.IndexOf("Setup").ShouldBeLessThan(names.IndexOf("Publish"));
        names.IndexOf("Hash").ShouldBeLessThan(names.IndexOf("Build"), "an override keeps its place");
        names.IndexOf("Publish").ShouldBeLessThan(names.IndexOf("Deploy"));
    }

    [Fact]
    public async Task A_variant_without_a_package_is_a_usage_error_like_the_other_argument_errors()
    {
        using var root = TreeRoot();
        var result = await root.RunAsync(new Consumer(), "Resolve --variant fips", defaultTarget: "Hash");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage, result.Output);
        result.Output.ShouldContain("--variant fips needs --package: a variant belongs to one package (e.g. --package mesos --variant fips).");
    }

    [Theory]
    [InlineData("Resolve --packages-dir nope", "does not exist (--packages-dir, or PackagesDir in .nuke/parameters.json).")]
    [InlineData("Resolve --tree-variant x", "--tree-variant x: ")]
    public async Task Core_errors_name_the_flags_of_this_front_end(string args, string expected)
    {
        using var root = TreeRoot();
        var result = await root.RunAsync(new Consumer(), args, defaultTarget: "Hash");
        result.ExitCode.ShouldBe(BuildHost.ExitFailed, result.Output);
        result.Output.ShouldContain(expected);
        result.Output.ShouldNotContain("Selection.");
        result.Output.ShouldNotContain("PackageStore.Load");
    }
}
