namespace Pkgpanda.EndToEnd.Tests;

/// <summary>build.ps1 (and build.cmd's PowerShell line) run with PowerShell 7, for this repository.</summary>
[Collection("docker")]
public sealed class PowerShellTests
{
    [Fact]
    public async Task Build_ps1_shows_help_and_builds_a_package_of_this_repository()
    {
        var script = Path.Combine(Cli.RepoRoot, "build.ps1");
        var environment = new Dictionary<string, string> { ["CI"] = "true" };
        var help = await PowerShell.RunScriptAsync(script, ["--help"], Cli.RepoRoot, environment);
        help.ExitCode.ShouldBe(0, help.ToString());
        help.Output.ShouldContain("Hash (default)");
        help.Output.ShouldContain("--packages-dir <value>");

        using var tree = new ExampleTree();
        // From a folder of its own: the root is the script's folder, and the relative tree is read from here.
        var build = await PowerShell.RunScriptAsync(script, ["--target", "Build", "--packages-dir", "packages", "--package", "curl"],
            Path.GetDirectoryName(tree.Root)!, environment);
        build.ExitCode.ShouldBe(0, build.ToString());
        build.Output.ShouldContain("2 packages: 2 built");
        Directory.GetFiles(Path.Combine(tree.Cache, "packages", "curl"), "curl--*.tar.xz").Length.ShouldBe(1);
        Directory.GetFiles(Path.Combine(tree.Cache, "packages", "openssl"), "openssl--*.tar.xz").Length.ShouldBe(1);
    }
}
