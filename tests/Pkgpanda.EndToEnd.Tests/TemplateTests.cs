using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// "Use it in your own repository", as a DC/OS team does: pack the three packages into a feed, install the template,
/// scaffold a build into a git repository holding a DC/OS-shaped packages/ tree, and build there with the real
/// engine. Offline: the scaffold restores only from the feed and this machine's NuGet cache (checked).
/// </summary>
[Collection("docker")]
public sealed class TemplateTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("pkgpanda-template-").FullName;

    private string Feed => Path.Combine(_temp, "feed");

    private static string Version =>
        XDocument.Load(Path.Combine(Cli.RepoRoot, "Directory.Build.props")).Descendants("Version").Single().Value;

    /// <summary>A private CLI home (template registry) and package folder; NuGet sources: the feed and the machine's cache.</summary>
    private Dictionary<string, string> ScaffoldEnvironment => new()
    {
        ["DOTNET_CLI_HOME"] = Path.Combine(_temp, "home"),
        ["NUGET_PACKAGES"] = Path.Combine(_temp, "nuget-packages"),
        ["CI"] = "true",
    };

    private static string MachineCache =>
        System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [Fact]
    public async Task A_scaffolded_repository_builds_its_tree_with_the_packed_packages()
    {
        // 1. The packages, as the README says: dotnet pack at the root.
        var pack = await Tool.RunInAsync(Cli.RepoRoot, null, "dotnet", ["pack", "-c", "Release", "-o", Feed, "-nologo", "-v:q"], TimeSpan.FromMinutes(15));
        pack.ExitCode.ShouldBe(0, pack.ToString());
        foreach (var id in new[] { "Pkgpanda.Core", "Pkgpanda.Targets", "Pkgpanda.Templates" })
            File.Exists(Path.Combine(Feed, $"{id}.{Version}.nupkg")).ShouldBeTrue($"{id}.{Version}.nupkg in {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");

        // 2. No source but the feed and the machine's cache (a NuGet.Config above the repository clears the others).
        // Pkgpanda.* come from the feed alone (source mapping, under the key the scaffold's nuget.config gives it): a copy
        // of the same version in the machine's cache (from an earlier `dotnet new pkgpanda` there) is never taken.
        File.WriteAllText(Path.Combine(_temp, "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="machine-cache" value="{MachineCache}" />
                <add key="pkgpanda" value="{Feed}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="pkgpanda"><package pattern="Pkgpanda.*" /></packageSource>
                <packageSource key="machine-cache"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        var install = await Tool.RunInAsync(_temp, ScaffoldEnvironment, "dotnet", ["new", "install", Path.Combine(Feed, $"Pkgpanda.Templates.{Version}.nupkg")]);
        install.ExitCode.ShouldBe(0, install.ToString());

        // 3. A DC/OS-shaped repository: packages/ with a treeinfo.json, a package and one that requires it.
        var repo = Path.Combine(_temp, "dcos");
        var packages = Path.Combine(repo, "packages");
        SyntheticTree.Package(packages, "hello", [], SyntheticTree.Script(0));
        SyntheticTree.Package(packages, "greeter", ["hello"], SyntheticTree.Script(0));
        File.WriteAllText(Path.Combine(packages, "treeinfo.json"), """{"core_package_list": ["greeter"], "bootstrap_package_list": ["greeter"]}""");
        await Git(repo, "init", "-q");
        await Git(repo, "add", "-A");
        await Git(repo, "-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-qm", "tree");

        var scaffold = await Tool.RunInAsync(repo, ScaffoldEnvironment, "dotnet", ["new", "pkgpanda", "--feed", Feed]);
        scaffold.ExitCode.ShouldBe(0, scaffold.ToString());
        File.ReadAllText(Path.Combine(repo, "nuget.config")).ShouldContain($"value=\"{Feed}\"");
        File.ReadAllText(Path.Combine(repo, "build", "_build.csproj")).ShouldContain($"<PackageReference Include=\"Pkgpanda.Targets\" Version=\"{Version}\" />");
        File.ReadAllText(Path.Combine(repo, "build", "Build.cs")).ShouldContain("class Build : PkgpandaBuild");
        File.ReadAllText(Path.Combine(repo, ".nuke", "parameters.json")).ShouldContain("\"PackagesDir\": \"packages\"");
        File.ReadAllText(Path.Combine(repo, ".gitignore")).ShouldContain("packages/cache/");
        File.GetUnixFileMode(Path.Combine(repo, "build.sh")).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        foreach (var file in new[] { "build.sh", "build.cmd", "build.ps1", "global.json" })
            File.ReadAllText(Path.Combine(repo, file)).ShouldBe(File.ReadAllText(Path.Combine(Cli.RepoRoot, file)), $"{file} is this repository's");

        // 4. PowerShell: help and a first build (of hello).
        var help = await PowerShell.RunScriptAsync("./build.ps1", ["--help"], repo, ScaffoldEnvironment);
        help.ExitCode.ShouldBe(0, help.ToString());
        help.Output.ShouldMatch(@"greeter\s+-> hello");
        var first = await PowerShell.RunScriptAsync("./build.ps1", ["--target", "Build", "--package", "hello"], repo, ScaffoldEnvironment);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Output.ShouldContain("Total: 1 package: 1 built");

        // 5. build.sh, from a subfolder: greeter builds on the cached hello; the plan and the workflow work too.
        var build = await Tool.RunInAsync(Path.Combine(packages, "greeter"), ScaffoldEnvironment, Path.Combine(repo, "build.sh"), ["--target", "Build", "--package", "greeter"]);
        build.ExitCode.ShouldBe(0, build.ToString());
        build.Output.ShouldContain("2 packages: 1 built, 1 up to date");
        var greeter = Directory.GetFiles(Path.Combine(packages, "cache", "packages", "greeter"), "greeter--*.tar.xz").ShouldHaveSingleItem();
        var listing = await Tool.RunAsync("tar", ["-xJOf", greeter, "./lib/greeter.deps"]);
        listing.Output.Trim().ShouldBe("hello");
        var plan = await Tool.RunInAsync(repo, ScaffoldEnvironment, Path.Combine(repo, "build.sh"), ["--plan", "--plan-format", "json"]);
        plan.ExitCode.ShouldBe(0, plan.ToString());
        plan.Output.ShouldContain("\"greeter\"");
        File.ReadAllText(Path.Combine(repo, ".github", "workflows", "ci.yml")).ShouldContain("--packages-dir packages");
        (await Tool.RunInAsync(repo, null, "git", ["status", "--porcelain", "--ignored"])).Output.ShouldContain("!! packages/cache/");

        // 6. What restored: Pkgpanda.* from the feed (byte for byte), nothing from any other source.
        var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "build", "obj", "project.assets.json"))).RootElement;
        var sources = assets.GetProperty("project").GetProperty("restore").GetProperty("sources").EnumerateObject().Select(s => s.Name.TrimEnd('/')).Order().ToList();
        sources.ShouldBe(new[] { Feed, MachineCache.TrimEnd('/') }.Order().ToList());
        foreach (var id in new[] { "Pkgpanda.Core", "Pkgpanda.Targets" })
        {
            assets.GetProperty("libraries").TryGetProperty($"{id}/{Version}", out _).ShouldBeTrue(id);
            var restored = File.ReadAllText(Path.Combine(ScaffoldEnvironment["NUGET_PACKAGES"], id.ToLowerInvariant(), Version, $"{id.ToLowerInvariant()}.{Version}.nupkg.sha512"));
            restored.ShouldBe(Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(Path.Combine(Feed, $"{id}.{Version}.nupkg")))), $"{id} came from the feed");
        }

        // 7. Without --feed there is no nuget.config: the packages restore from the default sources, as a published tool's do.
        var plain = Path.Combine(_temp, "plain");
        Directory.CreateDirectory(plain);
        (await Tool.RunInAsync(plain, ScaffoldEnvironment, "dotnet", ["new", "pkgpanda"])).ExitCode.ShouldBe(0);
        File.Exists(Path.Combine(plain, "nuget.config")).ShouldBeFalse();
        File.Exists(Path.Combine(plain, "build", "Build.cs")).ShouldBeTrue();
    }

    private static async Task Git(string repo, params string[] args)
    {
        var result = await Tool.RunAsync("git", ["-C", repo, .. args]);
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
