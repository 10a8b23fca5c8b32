using Pkgpanda.Targets;
using Spectre.Console;

namespace Pkgpanda.Targets.Tests;

/// <summary>
/// Run from anywhere: a relative path is relative to where it was written (the current directory for the command
/// line and the environment, the root for .nuke/parameters.json), and the root comes from --root, the build script
/// (NUKE_ROOT_DIRECTORY), or the nearest .nuke/ above the current directory.
/// </summary>
public class PathParameterTests
{
    private sealed class PathBuild : NukeBuild
    {
        [Parameter(IsPath = true)] public string Tree = "default-tree";
        [Parameter(IsPath = true)] public string? Report { get; set; }
        [Parameter] public string? Label { get; set; }
        public string? Root;
        Target Default => _ => _.Executes(() => Root = RootDirectory);
    }

    private static async Task<(int Code, string Output)> RunAsync(NukeBuild build, string workingDirectory, string[] args, Dictionary<string, string>? environment = null)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        var code = await new BuildHost(console, environment ?? [], workingDirectory).RunAsync(build, args, ["Default"]);
        return (code, writer.ToString());
    }

    [Fact]
    public async Task A_relative_path_on_the_command_line_is_relative_to_the_current_directory_one_in_parameters_json_to_the_root()
    {
        using var root = new TestRoot();
        var sub = Directory.CreateDirectory(Path.Combine(root.Path, "a", "b")).FullName;
        root.WriteParameters("parameters.json", """{ "Tree": "packages", "Report": "out/report.json", "Label": "not/a/path" }""");

        var fromFile = new PathBuild();
        (await RunAsync(fromFile, sub, [])).Code.ShouldBe(0);
        fromFile.Tree.ShouldBe(Path.Combine(root.Path, "packages"));
        fromFile.Report.ShouldBe(Path.Combine(root.Path, "out", "report.json"));
        fromFile.Label.ShouldBe("not/a/path");

        var fromArgs = new PathBuild();
        (await RunAsync(fromArgs, sub, ["--tree", "../packages", "--report", "r.json"])).Code.ShouldBe(0);
        fromArgs.Tree.ShouldBe(Path.Combine(root.Path, "a", "packages"));
        fromArgs.Report.ShouldBe(Path.Combine(sub, "r.json"));

        var fromEnvironment = new PathBuild();
        (await RunAsync(fromEnvironment, sub, [], new() { ["TREE"] = "here" })).Code.ShouldBe(0);
        fromEnvironment.Tree.ShouldBe(Path.Combine(sub, "here"));

        var absolute = new PathBuild();
        (await RunAsync(absolute, sub, ["--tree", "/srv/tree"])).Code.ShouldBe(0);
        absolute.Tree.ShouldBe("/srv/tree");
    }

    [Fact]
    public async Task A_default_path_stays_as_declared_for_the_build_to_resolve_against_the_root()
    {
        using var root = new TestRoot();
        var build = new PathBuild();
        (await RunAsync(build, root.Path, [])).Code.ShouldBe(0);
        build.Tree.ShouldBe("default-tree");
    }

    [Fact]
    public async Task The_build_script_names_the_root_whatever_the_current_directory_and_root_wins_over_it()
    {
        using var root = new TestRoot();
        using var other = new TestRoot();
        var elsewhere = Directory.CreateTempSubdirectory("no-project-").FullName;
        try
        {
            var script = new Dictionary<string, string> { [ProjectRoot.ScriptVariable] = root.Path };
            var fromScript = new PathBuild();
            (await RunAsync(fromScript, elsewhere, [], script)).Code.ShouldBe(0);
            fromScript.Root.ShouldBe(root.Path);

            var given = new PathBuild();
            (await RunAsync(given, elsewhere, ["--root", other.Path], script)).Code.ShouldBe(0);
            given.Root.ShouldBe(other.Path);

            var nearest = new PathBuild();
            var inside = Directory.CreateDirectory(Path.Combine(other.Path, "x", "y")).FullName;
            (await RunAsync(nearest, inside, [])).Code.ShouldBe(0);
            nearest.Root.ShouldBe(other.Path);

            var (code, output) = await RunAsync(new PathBuild(), elsewhere, []);
            code.ShouldBe(BuildHost.ExitUsage);
            output.ShouldContain($"No .nuke folder in {elsewhere} or any folder above it");
        }
        finally { Directory.Delete(elsewhere, recursive: true); }
    }
}
