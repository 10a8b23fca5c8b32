using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class ParameterTests
{
    [Fact]
    public async Task Command_line_wins_over_environment_which_wins_over_parameters_json()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "$schema": "./build.schema.json", "OutputDir": "from-file", "Count": 3 }""");
        var env = new Dictionary<string, string> { ["OUTPUT_DIR"] = "from-env", ["COUNT"] = "5" };

        var fromFile = new ParameterBuild();
        await root.RunAsync(fromFile, "");
        fromFile.OutputDir.ShouldBe("from-file");
        fromFile.Count.ShouldBe(3);

        var fromEnv = new ParameterBuild();
        await root.RunAsync(fromEnv, "", env);
        fromEnv.OutputDir.ShouldBe("from-env");
        fromEnv.Count.ShouldBe(5);

        var fromArgs = new ParameterBuild();
        await root.RunAsync(fromArgs, "--output-dir from-args", env);
        fromArgs.OutputDir.ShouldBe("from-args");
        fromArgs.Count.ShouldBe(5);
    }

    [Theory]
    [InlineData("OUTPUTDIR")]
    [InlineData("OutputDir")]
    [InlineData("output_dir")]
    [InlineData("NUKE_OUTPUT_DIR")]
    public async Task Environment_names_match_on_letters_and_digits_with_or_without_the_nuke_prefix(string variable)
    {
        using var root = new TestRoot();
        var build = new ParameterBuild();
        await root.RunAsync(build, "", new() { [variable] = "x" });
        build.OutputDir.ShouldBe("x");
    }

    [Fact]
    public async Task The_unprefixed_variable_wins_over_the_nuke_prefixed_one()
    {
        using var root = new TestRoot();
        var build = new ParameterBuild();
        await root.RunAsync(build, "", new() { ["NUKE_OUTPUT_DIR"] = "prefixed", ["OUTPUT_DIR"] = "plain" });
        build.OutputDir.ShouldBe("plain");
    }

    [Fact]
    public async Task Profiles_override_the_default_file_and_later_profiles_win()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "OutputDir": "base", "Count": 1, "Fast": false }""");
        root.WriteParameters("parameters.ci.json", """{ "OutputDir": "ci", "Count": 2 }""");
        root.WriteParameters("parameters.release.json", """{ "Count": 9 }""");
        var build = new ParameterBuild();
        (await root.RunAsync(build, "--profile ci release")).ExitCode.ShouldBe(0);
        build.OutputDir.ShouldBe("ci");
        build.Count.ShouldBe(9);
        build.Fast.ShouldBeFalse();
    }

    [Fact]
    public async Task A_single_valued_parameter_given_twice_is_an_error_while_arrays_and_flags_may_repeat()
    {
        using var root = new TestRoot();
        var twice = await root.RunAsync(new ParameterBuild(), "--output-dir a --output-dir b");
        twice.ExitCode.ShouldBe(BuildHost.ExitUsage);
        twice.Output.ShouldContain("--output-dir is given more than once ('a', 'b'); give it once.");
        (await root.RunAsync(new ParameterBuild(), "--output-dir a --output-dir")).Output.ShouldContain("--output-dir is given more than once ('a'); give it once.");

        var build = new ParameterBuild();
        (await root.RunAsync(build, "--names a --names b c --fast --fast")).ExitCode.ShouldBe(0);
        build.Names.ShouldBe(["a", "b", "c"]);
        build.Fast.ShouldBeTrue();
    }

    [Fact]
    public async Task A_bad_value_the_user_did_not_type_names_where_it_came_from()
    {
        using var root = new TestRoot();
        var fromEnvironment = await root.RunAsync(new ParameterBuild(), "", new() { ["COUNT"] = "abc" });
        fromEnvironment.ExitCode.ShouldBe(BuildHost.ExitUsage);
        fromEnvironment.Output.ShouldContain("Parameter --count, set by the environment variable COUNT: cannot use 'abc' as");

        root.WriteParameters("parameters.json", """{ "Count": "many" }""");
        var fromFile = await root.RunAsync(new ParameterBuild(), "");
        fromFile.Output.ShouldContain("Parameter --count, set by ");
        fromFile.Output.ShouldContain("parameters.json (\"Count\"): cannot use 'many' as");

        (await root.RunAsync(new ParameterBuild(), "--count x")).Output.ShouldContain("Parameter --count: cannot use 'x' as");
    }

    [Fact]
    public async Task A_flag_followed_by_a_word_says_targets_go_first()
    {
        using var root = new TestRoot();
        var flag = await root.RunAsync(new ParameterBuild(), "--fast Default");
        flag.ExitCode.ShouldBe(BuildHost.ExitUsage);
        flag.Output.ShouldContain("targets go before the options (e.g. `build.sh Default --fast`)");
        var host = await root.RunAsync(new ParameterBuild(), "--no-logo Default");
        host.ExitCode.ShouldBe(BuildHost.ExitUsage);
        host.Output.ShouldContain("it was followed by 'Default'. Targets go before the options (e.g. `build.sh Default --no-logo`).");
    }

    [Fact]
    public async Task A_missing_profile_is_an_error()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new ParameterBuild(), "--profile nope");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("parameters.nope.json does not exist");
    }

    [Fact]
    public async Task A_key_that_is_no_parameter_in_a_parameters_file_is_an_error_naming_file_and_key()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "OutputDri": "typo" }""");
        var result = await root.RunAsync(new ParameterBuild(), "");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("parameters.json: \"OutputDri\" is not a parameter of this build");
    }

    [Fact]
    public async Task A_key_given_twice_in_a_parameters_file_is_an_error_naming_file_and_key()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "Names": ["a"], "Names": ["b"] }""");
        var result = await root.RunAsync(new ParameterBuild(), "");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("parameters.json: \"Names\" is given twice; give it once.");
        result.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Values_from_a_parameters_file_are_a_list_a_string_or_the_json_text()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "names": ["a", "b"], "Count": 3, "fast": true, "Flavour": "extra-spicy" }""");
        var build = new ParameterBuild();
        (await root.RunAsync(build, "")).ExitCode.ShouldBe(0);
        build.Names.ShouldBe(["a", "b"]);
        build.Count.ShouldBe(3);
        build.Fast.ShouldBeTrue();
        build.Flavour.ShouldBe(Flavour.ExtraSpicy);
    }

    [Fact]
    public async Task Arrays_bools_enums_and_numbers_are_converted()
    {
        using var root = new TestRoot();
        var build = new ParameterBuild();
        (await root.RunAsync(build, "--names a b c --fast --flavour extra-spicy --count 7")).ExitCode.ShouldBe(0);
        build.Names.ShouldBe(["a", "b", "c"]);
        build.Fast.ShouldBeTrue();
        build.Flavour.ShouldBe(Flavour.ExtraSpicy);
        build.Count.ShouldBe(7);
    }

    [Fact]
    public async Task Arrays_come_from_json_arrays_and_from_separated_environment_values()
    {
        using var root = new TestRoot();
        root.WriteParameters("parameters.json", """{ "Names": ["x", "y"] }""");
        var fromFile = new ParameterBuild();
        await root.RunAsync(fromFile, "");
        fromFile.Names.ShouldBe(["x", "y"]);
        var fromEnv = new ParameterBuild();
        await root.RunAsync(fromEnv, "", new() { ["NAMES"] = "p q" });
        fromEnv.Names.ShouldBe(["p", "q"]);
    }

    [Fact]
    public async Task A_bool_flag_takes_an_explicit_value_too()
    {
        using var root = new TestRoot();
        var build = new ParameterBuild();
        await root.RunAsync(build, "--fast false");
        build.Fast.ShouldBeFalse();
    }

    [Theory]
    [InlineData("--output-dir", "--output-dir needs a folder.")]
    [InlineData("--count", "--count needs an integer.")]
    public async Task An_option_without_its_value_says_what_it_needs(string args, string expected)
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new ParameterBuild(), args);
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain(expected);
        result.Output.ShouldNotContain("cannot use ''");
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_the_option()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new ParameterBuild(), "--count many");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("Parameter --count: cannot use 'many' as an integer.");
    }

    [Fact]
    public async Task Requires_fails_before_any_target_runs_and_names_the_parameter()
    {
        using var root = new TestRoot();
        var result = await root.RunAsync(new ParameterBuild(), "Publish");
        result.ExitCode.ShouldBe(BuildHost.ExitUsage);
        result.Output.ShouldContain("Target Publish requires the parameter --api-key");
        result.Output.ShouldNotContain("Build succeeded");
        (await root.RunAsync(new ParameterBuild(), "Publish --api-key k")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public void Parameter_names_become_kebab_case()
    {
        ParameterInfo.KebabCase("PackagesDir").ShouldBe("packages-dir");
        ParameterInfo.KebabCase("ApiKey").ShouldBe("api-key");
        ParameterInfo.KebabCase("Verbose").ShouldBe("verbose");
    }
}
