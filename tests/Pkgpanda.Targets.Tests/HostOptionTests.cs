using System.Text.Json;
using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

/// <summary>NUKE's common options: --verbosity, --no-logo, --host, and the host options a parameters file may hold.</summary>
public class HostOptionTests
{
    private const string Logo = "pkgpanda.NET";
    private const string Header = "║ Talk";

    [Fact]
    public async Task Quiet_shows_only_warnings_errors_and_the_summary()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new TalkingBuild(), "Talk --verbosity quiet");
        result.ExitCode.ShouldBe(0);
        result.Output.ShouldContain("[WRN] a warning line");
        result.Output.ShouldMatch(@"Talk\s+Succeeded");
        result.Output.ShouldContain("Build succeeded");
        foreach (var hidden in new[] { "an information line", "a debug line", Header, Logo }) result.Output.ShouldNotContain(hidden);
    }

    [Fact]
    public async Task Minimal_adds_the_target_headers_but_no_information()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new TalkingBuild(), "Talk --verbosity Minimal");
        result.Output.ShouldContain(Header);
        result.Output.ShouldContain("a warning line");
        result.Output.ShouldNotContain("an information line");
        result.Output.ShouldNotContain(Logo);
    }

    [Fact]
    public async Task Normal_is_the_default_with_the_logo_and_information_but_no_debug()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new TalkingBuild(), "Talk");
        result.Output.ShouldContain(Logo);
        result.Output.ShouldContain("[INF] an information line");
        result.Output.ShouldNotContain("a debug line");
        result.Output.IndexOf(Logo, StringComparison.Ordinal).ShouldBeLessThan(result.Output.IndexOf("║ Prepare", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--verbosity verbose")]
    [InlineData("--verbose")]
    public async Task Verbose_and_its_shorthand_show_debug_lines(string option)
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new TalkingBuild(), $"Talk {option}");
        result.Output.ShouldContain("[DBG] a debug line");
        result.Output.ShouldContain("an information line");
    }

    [Theory]
    [InlineData("--verbosity loud", "--verbosity loud: use one of quiet, minimal, normal, verbose.")]
    [InlineData("--verbosity 2", "--verbosity 2: use one of quiet, minimal, normal, verbose.")]
    [InlineData("--verbosity", "--verbosity takes one value: quiet, minimal, normal, verbose.")]
    [InlineData("--host jenkins", "--host jenkins: use one of terminal, githubactions.")]
    [InlineData("--no-logo maybe", "--no-logo is a flag")]
    public async Task A_wrong_host_option_value_is_a_usage_error_naming_the_values(string option, string message)
    {
        using var root = new TestRoot();
        var build = new TalkingBuild();
        var result = await root.RunAsync(build, $"Talk {option}");
        result.ExitCode.ShouldBe(ExitCode.Usage);
        result.Output.ShouldContain(message);
        build.Ran.ShouldBeEmpty();
    }

    [Fact]
    public async Task No_logo_leaves_the_logo_out()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new TalkingBuild(), "Talk --no-logo");
        result.ExitCode.ShouldBe(0);
        result.Output.ShouldNotContain(Logo);
        result.Output.ShouldContain("an information line");
    }

    [Fact]
    public async Task Host_names_the_output_flavour_whatever_the_environment_says()
    {
        using var root = new TestRoot();
        var forced = new TalkingBuild();
        var github = await root.RunAsync(forced, "Talk --host GitHubActions");
        github.Output.ShouldContain("::group::Talk");
        github.Output.ShouldContain("::warning::a warning line");
        forced.SeenHost.ShouldBe(HostKind.GitHubActions);
        forced.IsServerBuild.ShouldBeTrue();

        var terminal = new TalkingBuild();
        var plain = await root.RunAsync(terminal, "Talk --host terminal", new() { ["GITHUB_ACTIONS"] = "true" });
        plain.Output.ShouldNotContain("::group::");
        terminal.SeenHost.ShouldBe(HostKind.Terminal);

        var detected = new TalkingBuild();
        (await root.RunAsync(detected, "Talk", new() { ["GITHUB_ACTIONS"] = "true" })).Output.ShouldContain("::group::Talk");
        detected.SeenHost.ShouldBe(HostKind.GitHubActions);
    }

    [Fact]
    public async Task Host_options_come_from_the_parameters_file_and_the_command_line_wins()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "$schema": "./build.schema.json", "Target": ["Talk"], "Skip": ["Prepare"], "Verbosity": "Quiet", "NoLogo": true }""");
        var fromFile = new TalkingBuild();
        var result = await root.RunAsync(fromFile, "");
        result.ExitCode.ShouldBe(0);
        fromFile.Ran.ShouldBe(["Talk"]);
        result.Output.ShouldNotContain("an information line");

        var overridden = new TalkingBuild();
        var loud = await root.RunAsync(overridden, "Prepare --skip --verbosity normal --no-logo false");
        overridden.Ran.ShouldBe(["Prepare"]);
        loud.Output.ShouldContain(Logo);
    }

    [Fact]
    public async Task An_unknown_target_in_the_parameters_file_is_a_usage_error()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "Target": ["Tlak"] }""");
        var result = await root.RunAsync(new TalkingBuild(), "");
        result.ExitCode.ShouldBe(ExitCode.Usage);
        result.Output.ShouldContain("Unknown target 'Tlak'");
    }

    [Fact]
    public async Task The_schema_lists_the_targets_for_Target_and_Skip_and_the_host_options_values()
    {
        using var root = new TestRoot();
        await root.RunAsync(new TalkingBuild(), "--help");
        using var schema = JsonDocument.Parse(File.ReadAllText(root.Nuke("build.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        string?[] Enum(JsonElement e) => e.GetProperty("enum").EnumerateArray().Select(v => v.GetString()).ToArray();
        foreach (var list in new[] { "Target", "Skip" })
        {
            properties.GetProperty(list).GetProperty("type").GetString().ShouldBe("array");
            Enum(properties.GetProperty(list).GetProperty("items")).ShouldBe(["Default", "Prepare", "Talk"]);
        }
        Enum(properties.GetProperty("Verbosity")).ShouldBe(["Quiet", "Minimal", "Normal", "Verbose"]);
        Enum(properties.GetProperty("Host")).ShouldBe(["Terminal", "GitHubActions"]);
        properties.GetProperty("NoLogo").GetProperty("type").GetString().ShouldBe("boolean");
    }

    [Fact]
    public async Task Plan_text_and_help_print_no_logo()
    {
        using var root = new TestRoot();
        (await root.RunAsync(new TalkingBuild(), "--help")).Output.ShouldNotContain(Logo);
        var json = await root.RunAsync(new TalkingBuild(), "Talk --plan --plan-format json");
        JsonDocument.Parse(json.Output).RootElement.GetProperty("plan").GetArrayLength().ShouldBe(2);
    }
}
