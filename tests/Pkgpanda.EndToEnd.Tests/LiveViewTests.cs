using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// The progress view as a person sees it: ./build.sh in a real terminal (tmux, on a server of the test's own), with the
/// real engine. A first run (plain output, as in CI) records each package's build time; a second run of the changed
/// tree shows counts, an estimate of the time left from those times, each running package's phase and latest output
/// line, and the finished packages above the live area.
/// </summary>
[Collection("docker")]
public partial class LiveViewTests(ITestOutputHelper output)
{
    private const int Width = 3, Layers = 3, Total = Width * Layers;

    [Fact]
    public async Task The_live_view_shows_counts_an_estimate_from_earlier_builds_phases_and_output_lines()
    {
        var tmux = RequiredTool.Find("/usr/bin/tmux", "tmux");
        using var tree = ExampleTree.Empty();
        Generate(tree.Root, run: 1, failing: null);

        var first = await Cli.RunAsync(tree.Args("--target", "Build", "--parallel", "2"), environment: new Dictionary<string, string> { ["CI"] = "true" });
        first.ExitCode.ShouldBe(0, first.ToString());
        // Plain output keeps timestamped lines and counts finished packages.
        for (var n = 1; n <= Total; n++) first.Output.ShouldMatch($@"\d\d:\d\d:\d\d \[INF\] \[{n}/{Total}\] p\d-\d: built p\d-\d--");
        first.Output.ShouldContain("p0-0 | part 2 of p0-0");
        File.Exists(Path.Combine(tree.Cache, "packages", "p1-1", "build-time")).ShouldBeTrue();

        // Changed scripts mean new ids: everything builds again, now with the times of the first run.
        Generate(tree.Root, run: 2, failing: null);
        var snapshots = await InTerminalAsync(tmux, tree);
        var last = snapshots[^1];
        output.WriteLine(last);
        last.ShouldContain("EXIT=0");
        var counts = snapshots.SelectMany(Counts).ToList();
        counts.ShouldNotBeEmpty("the live view shows the counts and an estimate");
        counts.ShouldAllBe(c => c.Finished == c.Done + c.Failed + c.NotBuilt && c.Finished + c.Running + c.Waiting == Total);
        counts.ShouldContain(c => c.Running == 2 && c.Waiting > 0, "two build at once while others wait");
        counts[0].Left.ShouldBeGreaterThan(TimeSpan.Zero, "the first run's times give an estimate from the start");
        // A running package's line: its name, phase, time and its latest output line.
        snapshots.ShouldContain(s => RunningLine().IsMatch(s), "a running package shows its phase and latest output line");
        // Finished packages stay above the live area, counted.
        for (var l = 0; l < Layers; l++)
        for (var i = 0; i < Width; i++)
            last.ShouldMatch($@"\[\d/9\] p{l}-{i}: built p{l}-{i}--");

        // The estimate made at the start is near what the run took (both come from builds on this machine).
        var end = Regex.Match(last, @"\[9/9\] 9 done, 0 failed in (\d+):(\d\d) \(estimated (\d+):(\d\d)\)");
        end.Success.ShouldBeTrue(last);
        var took = int.Parse(end.Groups[1].Value) * 60 + int.Parse(end.Groups[2].Value);
        var estimated = int.Parse(end.Groups[3].Value) * 60 + int.Parse(end.Groups[4].Value);
        output.WriteLine($"took {took}s, estimated {estimated}s at the start");
        ((double)estimated).ShouldBeInRange(took * 0.4, took * 2.0);

        // A failure is counted while what runs beside it finishes; what was not started is counted as not built.
        Generate(tree.Root, run: 3, failing: "p1-0");
        snapshots = await InTerminalAsync(tmux, tree);
        last = snapshots[^1];
        output.WriteLine(last);
        last.ShouldContain("EXIT=1");
        counts = snapshots.SelectMany(Counts).ToList();
        counts.ShouldAllBe(c => c.Finished == c.Done + c.Failed + c.NotBuilt && c.Finished + c.Running + c.Waiting == Total);
        counts.ShouldContain(c => c.Failed == 1 && c.Running == 1, "the package started beside p1-0 still runs after p1-0 failed");
        last.ShouldMatch(@"\[\d/9\] p1-0: FAILED");
        // The three of layer 0, and those of layer 1 that started beside p1-0 (its requires' results are handed over
        // before they are packed, so both others may have): they finish.
        last.ShouldMatch(@"\[9/9\] [345] done, 1 failed in");
    }

    private sealed record CountsSeen(int Finished, int Done, int Running, int Waiting, int Failed, int NotBuilt, TimeSpan Left);

    private static IEnumerable<CountsSeen> Counts(string pane) => CountsLine().Matches(pane).Select(m => new CountsSeen(
        int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value),
        int.Parse(m.Groups[5].Value), m.Groups[6].Success ? int.Parse(m.Groups[6].Value) : 0,
        TimeSpan.FromSeconds(int.Parse(m.Groups[7].Value) * 60 + int.Parse(m.Groups[8].Value))));

    /// <summary>Runs the build in a 160x40 terminal of a tmux server of its own, capturing the screen every 250 ms until it ends.</summary>
    private static async Task<List<string>> InTerminalAsync(string tmux, ExampleTree tree)
    {
        var socket = "pkgpanda-test-" + Guid.NewGuid().ToString("N")[..12];
        var command = $"env -u CI -u GITHUB_ACTIONS {Cli.RepoRoot}/build.sh --target Build --parallel 2 --packages-dir {tree.Root}; echo EXIT=$?; sleep 60";
        var snapshots = new List<string>();
        try
        {
            (await Tool.RunAsync(tmux, "-L", socket, "new-session", "-d", "-x", "160", "-y", "40", command)).ExitCode.ShouldBe(0);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                var pane = (await Tool.RunAsync(tmux, "-L", socket, "capture-pane", "-p", "-J", "-S", "-200")).Output;
                snapshots.Add(pane);
                if (pane.Contains("EXIT=")) break;
                await Task.Delay(250);
            }
        }
        finally
        {
            await Tool.RunAsync(tmux, "-L", socket, "kill-server");
        }
        snapshots[^1].ShouldContain("EXIT=", customMessage: "the build ends within three minutes");
        return snapshots;
    }

    /// <summary>
    /// Layers of <see cref="Width"/> packages; each prints four lines over about two seconds (the failing one fails at
    /// once). With a failing package, those above the first layer take six seconds: the one started beside the failure
    /// is surely still running when it fails (its slot frees as its step ends, so a short one could hand its slot to a
    /// third package just before the failure is known).
    /// </summary>
    private static void Generate(string root, int run, string? failing)
    {
        SyntheticTree.Layered(root, Layers, Width, 0, name =>
            "#!/bin/sh\nset -e\n" +
            $"# run {run}\n" +
            (name == failing ? "echo \"$PKG_NAME breaks\"; exit 3\n" : "") +
            $"for s in 1 2 3 4; do echo \"part $s of $PKG_NAME\"; sleep {(failing is not null && !name.StartsWith("p0-", StringComparison.Ordinal) ? "1.5" : "0.5")}; done\n" +
            "mkdir -p \"$PKG_PATH/lib\"\necho \"$PKG_ID\" > \"$PKG_PATH/lib/$PKG_NAME.id\"\n");
    }

    [GeneratedRegex(@"\[(\d+)/9\] (\d+) done · (\d+) running · (\d+) waiting · (\d+) failed(?: · (\d+) not built)? · about (\d+):(\d\d) left")]
    private static partial Regex CountsLine();

    // Name, phase, time, the engine it runs on, and its latest output line.
    [GeneratedRegex(@"(?m)^\s+p\d-\d\s+building\s+\d+:\d\d\s+(?:unix|tcp|ssh)://\S+\s+part \d of p\d-\d\s*$")]
    private static partial Regex RunningLine();
}
