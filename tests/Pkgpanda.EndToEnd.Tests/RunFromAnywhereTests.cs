namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// build.sh works from any current directory: its root is its own folder; a relative path on the command line is
/// relative to the current directory, one in .nuke/parameters.json relative to the root. Run as a tool (the build
/// program itself), the root is the nearest .nuke/ above the current directory.
/// </summary>
[Collection("docker")]
public sealed class RunFromAnywhereTests
{
    [Fact]
    public async Task Build_sh_run_from_a_subfolder_reads_a_relative_packages_dir_from_there()
    {
        using var tree = new ExampleTree();
        // <tmp>/packages is the tree; run from <tmp> with "packages", and from <tmp>/packages/curl with "..".
        var folder = Path.GetDirectoryName(tree.Root)!;
        var fromParent = await Cli.RunAsync(["Resolve", "--packages-dir", "packages", "--package", "curl"], workingDirectory: folder);
        fromParent.ExitCode.ShouldBe(0, fromParent.ToString());
        fromParent.Output.ShouldContain("2. curl");
        var fromInside = await Cli.RunAsync(["Resolve", "--packages-dir", "..", "--package", "mesos"], workingDirectory: Path.Combine(tree.Root, "curl"));
        fromInside.ExitCode.ShouldBe(0, fromInside.ToString());
        fromInside.Output.ShouldContain("5. mesos");
        // The same relative value names nothing there (it is not looked up under the root), and the message says which flag.
        var missing = await Cli.RunAsync(["Resolve", "--packages-dir", "packages"], workingDirectory: Path.Combine(tree.Root, "curl"));
        missing.ExitCode.ShouldBe(1, missing.ToString());
        missing.Output.ShouldContain("The packages folder packages does not exist (--packages-dir, or PackagesDir in .nuke/parameters.json).");
    }

    [Fact]
    public async Task Build_sh_run_through_a_symbolic_link_uses_the_real_script_s_folder_as_its_root()
    {
        var folder = Directory.CreateTempSubdirectory("linked-").FullName;
        try
        {
            // A relative link, as `ln -s ../checkout/build.sh mkpanda` makes, run from its own folder.
            var link = Path.Combine(folder, "mkpanda");
            File.CreateSymbolicLink(link, Path.GetRelativePath(folder, Path.Combine(Cli.RepoRoot, "build.sh")));
            var result = await Tool.RunInAsync(folder, new Dictionary<string, string>(), link, ["Resolve"]);
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Output.ShouldContain("Build order (5 packages)");
            result.Output.ShouldNotContain("No such file");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Build_sh_run_from_an_unrelated_folder_uses_its_own_root_and_parameters_json()
    {
        var folder = Directory.CreateTempSubdirectory("elsewhere-").FullName;
        try
        {
            // No .nuke/ here or above: the root is build.sh's folder, and .nuke/parameters.json's
            // "examples/packages" is relative to that root, not to the current directory.
            var result = await Cli.RunAsync(["Resolve"], workingDirectory: folder);
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Output.ShouldContain("Build order (5 packages)");
            File.Exists(Path.Combine(folder, ".nuke", "build.schema.json")).ShouldBeFalse("nothing is written to the current directory");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public async Task Run_as_a_tool_outside_a_project_the_message_says_how_to_point_at_one()
    {
        (await Cli.RunAsync(["--help"])).ExitCode.ShouldBe(0); // builds the program (build.sh puts it in build/bin/program)
        var folder = Directory.CreateTempSubdirectory("no-project-").FullName;
        try
        {
            var result = await Tool.RunInAsync(folder, null, "dotnet", [Path.Combine(Cli.RepoRoot, "build", "bin", "program", "_build.dll"), "--help"]);
            result.ExitCode.ShouldBe(2, result.ToString());
            result.Output.ShouldContain($"No .nuke folder in {folder} or any folder above it: run from inside the project, or pass --root <path>.");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
