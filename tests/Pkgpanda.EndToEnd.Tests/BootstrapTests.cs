namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// build.sh's two programs (issue 14): the quick ReadyToRun compile a run waits for, and the composite one compiled
/// in the background after it, which runs use only while the sources are exactly those it was compiled from.
/// </summary>
public sealed class BootstrapTests
{
    [Fact]
    public async Task Runs_switch_to_the_composite_program_once_it_is_compiled_and_leave_it_as_soon_as_a_source_changes()
    {
        var repo = Directory.CreateTempSubdirectory("bootstrap-").FullName;
        try
        {
            foreach (var folder in new[] { "build", "source", "examples" })
                CopySources(Path.Combine(Cli.RepoRoot, folder), Path.Combine(repo, folder));
            foreach (var file in new[] { "build.sh", "global.json", "Directory.Build.props", "README.md" })
                File.Copy(Path.Combine(Cli.RepoRoot, file), Path.Combine(repo, file));
            Directory.CreateDirectory(Path.Combine(repo, ".nuke"));
            File.Copy(Path.Combine(Cli.RepoRoot, ".nuke", "parameters.json"), Path.Combine(repo, ".nuke", "parameters.json"));
            var environment = new Dictionary<string, string> { ["PKGPANDA_COMPOSITE"] = "1" };
            var script = Path.Combine(repo, "build.sh");
            var stamp = Path.Combine(repo, ".nuke", "temp", "composite.stamp");
            async Task<Cli.Result> Run(params string[] args)
            {
                var result = await Tool.RunInAsync(repo, environment, script, args, TimeSpan.FromMinutes(10));
                result.ExitCode.ShouldBe(0, result.ToString());
                return result;
            }

            // The first run compiles the quick program and starts the upgrade, which it does not wait for.
            (await Run("Resolve", "--verbosity", "verbose")).Output.ShouldContain($"Program: {Path.Combine(repo, "build", "bin", "program")}");
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
            while (!File.Exists(stamp) && DateTime.UtcNow < deadline) await Task.Delay(2000);
            File.Exists(stamp).ShouldBeTrue($"no composite program after 15 minutes:\n{ReadLog(repo)}");
            var composite = File.ReadLines(stamp).First();
            composite.ShouldStartWith(Path.Combine(repo, ".nuke", "temp", "composite-"));
            var fast = await Run("Resolve", "--verbosity", "verbose");
            fast.Output.ShouldContain($"Program: {composite}");
            fast.Output.ShouldContain("Build order (5 packages)");

            // A source changes: the next run compiles and runs the quick program, never the stale one.
            var mkpanda = Path.Combine(repo, "build", "Mkpanda.cs");
            File.WriteAllText(mkpanda, File.ReadAllText(mkpanda).Replace("Run the test suite", "Run the tests suite"));
            var changed = await Run("--help");
            changed.Output.ShouldContain("Run the tests suite");
            (await Run("Resolve", "--verbosity", "verbose")).Output.ShouldContain($"Program: {Path.Combine(repo, "build", "bin", "program")}");
        }
        finally
        {
            // The upgrade the last compile started: wait for it (it holds this lock), then nothing runs in the copy.
            var lockFile = Path.Combine(repo, ".nuke", "temp", "composite.lock");
            if (File.Exists(lockFile)) await Tool.RunInAsync(null, null, "flock", [lockFile, "true"], TimeSpan.FromMinutes(15));
            Directory.Delete(repo, recursive: true);
        }
    }

    /// <summary>A folder without its build output (bin/, obj/) and package caches.</summary>
    private static void CopySources(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            if (entry.Name is "bin" or "obj" or "cache") continue;
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is not null) File.CreateSymbolicLink(target, entry.LinkTarget);
            else if (entry is DirectoryInfo) CopySources(entry.FullName, target);
            else
            {
                File.Copy(entry.FullName, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(entry.FullName));
            }
        }
    }

    private static string ReadLog(string repo)
    {
        var log = Path.Combine(repo, ".nuke", "temp", "composite.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no composite.log)";
    }
}
