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
        using var serial = ExampleTree.Empty();
        using var parallel = ExampleTree.Empty();
        foreach (var dir in new[] { serial.Root, parallel.Root })
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
        var one = await Cli.RunAsync(["--target", "Build", "--packages-dir", serial.Root, "--parallel", "1"]);
        var three = await Cli.RunAsync(["--target", "Build", "--packages-dir", parallel.Root, "--parallel", "3"]);
        one.ExitCode.ShouldBe(0, one.ToString());
        three.ExitCode.ShouldBe(0, three.ToString());
        var a = Tarballs(serial.Root);
        var b = Tarballs(parallel.Root);
        a.Keys.Order().ShouldBe(b.Keys.Order());
        foreach (var (name, bytes) in a) bytes.ShouldBe(b[name], name);
    }

    [Fact]
    public async Task Continue_builds_everything_not_depending_on_a_failure_and_names_the_skipped()
    {
        using var scratch = ExampleTree.Empty();
        SyntheticTree.Layered(scratch.Root, 3, 3, 0, name => name == "p1-1" ? "#!/bin/sh\necho broken >&2\nexit 2\n" : null);
        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", scratch.Root, "--continue"]);
        result.ExitCode.ShouldNotBe(0);
        // p1-1 is required by p2-0 and p2-1; p2-2 requires p1-2 and p1-0 only.
        result.Output.ShouldContain("p2-0: skipped, requires p1-1, which failed");
        result.Output.ShouldContain("p2-1: skipped, requires p1-1, which failed");
        var built = Tarballs(scratch.Root).Keys.Select(k => k.Split("--")[0]).Order().ToList();
        built.ShouldBe(["p0-0", "p0-1", "p0-2", "p1-0", "p1-2", "p2-2"]);
    }

    [Fact]
    public async Task Without_continue_the_first_failure_stops_new_builds()
    {
        using var scratch = ExampleTree.Empty();
        SyntheticTree.Layered(scratch.Root, 2, 3, 0, name => name == "p0-0" ? "#!/bin/sh\nexit 1\n" : null);
        var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", scratch.Root, "--parallel", "1"]);
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("p0-0: FAILED");
        result.Output.ShouldContain("stopped after a failure");
        Tarballs(scratch.Root).Keys.ShouldNotContain(k => k.StartsWith("p1-"));
    }
}
