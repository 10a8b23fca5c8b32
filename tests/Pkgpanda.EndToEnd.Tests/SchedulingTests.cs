namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Parallel builds along the graph: same results as one at a time; failures stop or continue as asked.</summary>
[Collection("docker")]
public class SchedulingTests
{
    private static Dictionary<string, byte[]> Tarballs(string packagesDir) =>
        Directory.GetFiles(Path.Combine(packagesDir, "cache", "packages"), "*.tar.xz", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    [Theory]
    [InlineData("diamond")]
    [InlineData("wide")]
    public async Task Parallel_builds_give_the_same_ids_and_bytes_as_one_at_a_time(string shape)
    {
        using var serial = new Scratch();
        using var parallel = new Scratch();
        foreach (var dir in new[] { serial.Packages, parallel.Packages })
        {
            if (shape == "diamond")
            {
                SyntheticTree.Package(dir, "base", [], SyntheticTree.Script(0.2));
                SyntheticTree.Package(dir, "left", ["base"], SyntheticTree.Script(0.2));
                SyntheticTree.Package(dir, "right", ["base"], SyntheticTree.Script(0.2));
                SyntheticTree.Package(dir, "top", ["left", "right"], SyntheticTree.Script(0.2));
            }
            else SyntheticTree.Layered(dir, 2, 5, 0.2);
        }
        var one = await Cli.RunAsync(["--target", "Build", "--packages-dir", serial.Packages, "--parallel", "1"]);
        var three = await Cli.RunAsync(["--target", "Build", "--packages-dir", parallel.Packages, "--parallel", "3"]);
        one.ExitCode.ShouldBe(0, one.ToString());
        three.ExitCode.ShouldBe(0, three.ToString());
        var a = Tarballs(serial.Packages);
        var b = Tarballs(parallel.Packages);
        a.Keys.Order().ShouldBe(b.Keys.Order());
        foreach (var (name, bytes) in a) bytes.ShouldBe(b[name], name);
    }

    [Fact]
    public async Task Continue_builds_everything_not_depending_on_a_failure_and_names_the_skipped()
    {
        using var scratch = new Scratch();
        SyntheticTree.Layered(scratch.Packages, 3, 3, 0, name => name == "p1-1" ? "#!/bin/sh\necho broken >&2\nexit 2\n" : null);
        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", scratch.Packages, "--continue"]);
        result.ExitCode.ShouldNotBe(0);
        // p1-1 is required by p2-0 and p2-1; p2-2 requires p1-2 and p1-0 only.
        result.Output.ShouldContain("p2-0: skipped, requires p1-1, which failed");
        result.Output.ShouldContain("p2-1: skipped, requires p1-1, which failed");
        var built = Tarballs(scratch.Packages).Keys.Select(k => k.Split("--")[0]).Order().ToList();
        built.ShouldBe(["p0-0", "p0-1", "p0-2", "p1-0", "p1-2", "p2-2"]);
    }

    [Fact]
    public async Task Without_continue_the_first_failure_stops_new_builds()
    {
        using var scratch = new Scratch();
        SyntheticTree.Layered(scratch.Packages, 2, 3, 0, name => name == "p0-0" ? "#!/bin/sh\nexit 1\n" : null);
        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", scratch.Packages, "--parallel", "1"]);
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("p0-0: FAILED");
        result.Output.ShouldContain("stopped after a failure");
        Tarballs(scratch.Packages).Keys.ShouldNotContain(k => k.StartsWith("p1-"));
    }

    /// <summary>A private packages folder.</summary>
    private sealed class Scratch : IDisposable
    {
        public Scratch()
        {
            Root = Path.Combine(Path.GetTempPath(), "pkgpanda-e2e", Guid.NewGuid().ToString("N"));
            Packages = Path.Combine(Root, "packages");
            Directory.CreateDirectory(Packages);
        }

        public string Root { get; }
        public string Packages { get; }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }
}
