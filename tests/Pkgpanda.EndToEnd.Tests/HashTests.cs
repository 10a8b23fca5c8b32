using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>./build.sh --target Hash on real trees, against the real Docker engine (Setup runs first).</summary>
[Collection("docker")]
public class HashTests
{
    [Fact]
    public async Task Hash_prints_every_package_id_of_the_example_tree()
    {
        using var tree = new ExampleTree();
        var planFile = Path.Combine(tree.Root, "..", "plan.json");
        var result = await Cli.RunAsync(tree.Args("--target", "Hash", "--plan-json", planFile));
        result.ExitCode.ShouldBe(0, result.ToString());
        foreach (var name in new[] { "openssl", "libevent", "boost-libs", "curl", "mesos" })
            Regex.IsMatch(result.Output, $@"^{Regex.Escape(name)}\s+<default>\s+{Regex.Escape(name)}--[0-9a-f]{{40}}\s+no$", RegexOptions.Multiline)
                .ShouldBeTrue($"{name} missing from:\n{result.Output}");
        result.Output.ShouldContain("5 packages: 0 cached, 5 to build.");

        using var plan = JsonDocument.Parse(File.ReadAllText(planFile));
        var packages = plan.RootElement.GetProperty("packages").EnumerateArray().ToList();
        packages.Select(p => p.GetProperty("name").GetString()).ShouldContain("mesos");
        var mesos = packages.Single(p => p.GetProperty("name").GetString() == "mesos");
        mesos.GetProperty("requires").GetArrayLength().ShouldBe(4);
        mesos.GetProperty("cached").GetBoolean().ShouldBeFalse();
        result.Output.ShouldContain(mesos.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task Hash_is_the_same_for_a_copy_of_the_tree_elsewhere()
    {
        using var a = new ExampleTree();
        using var b = new ExampleTree();
        var ra = await Cli.RunAsync(a.Args("--target", "Hash", "--package", "mesos"));
        var rb = await Cli.RunAsync(b.Args("--target", "Hash", "--package", "mesos"));
        ra.ExitCode.ShouldBe(0, ra.ToString());
        Ids(ra.Output).ShouldBe(Ids(rb.Output));
        Ids(ra.Output).Count.ShouldBe(5);
    }

    [Fact]
    public async Task A_mistake_in_a_buildinfo_is_one_clear_error_and_changes_nothing()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("curl/buildinfo.json"), "{\"requires\": [\"openssl--1.0\"]}");
        var before = tree.CacheSnapshot();
        var result = await Cli.RunAsync(tree.Args("--target", "Hash"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("curl/buildinfo.json: \"requires\"[0] = \"openssl--1.0\": an exact package id is not allowed");
        result.Output.ShouldNotContain("   at ");
        tree.CacheSnapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Ids_that_can_be_computed_are_printed_when_an_image_is_missing_and_the_rest_are_named()
    {
        using var tree = new ExampleTree();
        // A builder whose FROM is not in the engine (nothing is ever pulled), and a package naming a missing image.
        Directory.CreateDirectory(tree.PathOf("toolchain-e2e/docker"));
        File.WriteAllText(tree.PathOf("toolchain-e2e/docker/Dockerfile"), "FROM example.invalid/base:1\n");
        File.WriteAllText(tree.PathOf("toolchain-e2e/buildinfo.json"), "{\"docker\": \"dcos/dcos-builder:toolchain-e2e_dockerdir-latest\"}");
        File.WriteAllText(tree.PathOf("toolchain-e2e/build"), "#!/bin/sh\n");
        File.WriteAllText(tree.PathOf("libevent/buildinfo.json"), "{\"docker\": \"example.invalid/missing:1\"}");
        File.WriteAllText(tree.PathOf("treeinfo.json"), "{\"core_package_list\": [\"mesos\", \"curl\", \"toolchain-e2e\"]}");
        var planFile = Path.Combine(tree.Repository, "plan.json");

        var result = await Cli.RunAsync(tree.Args("--target", "Hash", "--plan-json", planFile));

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("[WRN] The builder image of toolchain-e2e cannot be built");
        result.Output.ShouldContain("FROM example.invalid/base:1");
        foreach (var name in new[] { "openssl", "curl", "boost-libs" })
            Regex.IsMatch(result.Output, $@"^{name}\s+<default>\s+{name}--[0-9a-f]{{40}}", RegexOptions.Multiline).ShouldBeTrue(name);
        Regex.IsMatch(result.Output, @"^mesos\s+<default>\s+-\s", RegexOptions.Multiline).ShouldBeTrue(result.Output);
        result.Output.ShouldContain("3 of 6 package ids cannot be computed");
        result.Output.ShouldContain("libevent/buildinfo.json: \"docker\" = \"example.invalid/missing:1\": The Docker image \"example.invalid/missing:1\" is not present");
        result.Output.Split('\n').Single(l => l.Contains("libevent/buildinfo.json: \"docker\"")).ShouldNotContain("Setup", customMessage: "not a builder image: Setup does not make it");
        result.Output.ShouldContain("1 more require one of these: mesos.");
        result.Output.ShouldNotContain("   at ");
        using var plan = JsonDocument.Parse(File.ReadAllText(planFile));
        var mesos = plan.RootElement.GetProperty("packages").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "mesos");
        mesos.GetProperty("id").ValueKind.ShouldBe(JsonValueKind.Null);
        mesos.GetProperty("error").GetString()!.ShouldContain("requires libevent");
    }

    [Fact]
    public async Task The_plan_shows_the_ids_that_can_be_computed_and_why_the_others_cannot()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/buildinfo.json"), "{\"docker\": \"example.invalid/missing:1\"}");
        var hash = await Cli.RunAsync(tree.Args("--target", "Hash"));

        var result = await Cli.RunAsync(tree.Args("--plan", "--plan-format", "json"));

        result.ExitCode.ShouldBe(0, result.ToString());
        using var plan = JsonDocument.Parse(result.Output);
        var packages = plan.RootElement.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        foreach (var name in new[] { "openssl", "curl", "boost-libs" })
        {
            var id = packages[name].GetProperty("id").GetString();
            id.ShouldNotBeNull(name);
            hash.Output.ShouldContain(id, customMessage: "the plan's id is Hash's");
            packages[name].TryGetProperty("idError", out _).ShouldBeFalse(name);
        }
        packages["libevent"].GetProperty("id").ValueKind.ShouldBe(JsonValueKind.Null);
        packages["libevent"].GetProperty("idError").GetString()!.ShouldContain("example.invalid/missing:1");
        packages["mesos"].GetProperty("id").ValueKind.ShouldBe(JsonValueKind.Null);
        packages["mesos"].GetProperty("idError").GetString()!.ShouldContain("libevent");
        plan.RootElement.GetProperty("packagesNote").GetString()!.ShouldStartWith("2 of 5 package ids cannot be computed");
    }

    [Fact]
    public async Task An_unknown_package_is_a_clear_error()
    {
        using var tree = new ExampleTree();
        var result = await Cli.RunAsync(tree.Args("--target", "Hash", "--package", "zookeeper"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("there is no package \"zookeeper\"");
        result.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Resolve_prints_the_build_order_with_requires_first()
    {
        using var tree = new ExampleTree();
        var result = await Cli.RunAsync(tree.Args("--target", "Resolve", "--package", "curl"));
        result.ExitCode.ShouldBe(0, result.ToString());
        var openssl = result.Output.IndexOf("1. openssl", StringComparison.Ordinal);
        var curl = result.Output.IndexOf("2. curl", StringComparison.Ordinal);
        openssl.ShouldBeGreaterThan(0, result.Output);
        curl.ShouldBeGreaterThan(openssl);
    }

    private static List<string> Ids(string output) =>
        Regex.Matches(output, @"\b[a-z][a-z0-9@._+\-]*--[0-9a-f]{40}\b").Select(m => m.Value).Distinct().Order().ToList();
}
