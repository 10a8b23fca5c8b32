using System.Diagnostics;

namespace Pkgpanda.Targets;

/// <summary>
/// Where a run's time went, for <c>--verbosity verbose</c> (issue 14 measures the no-op path with it): the runtime's
/// start-up before the host ran, the host's own steps as it marks them, each target that ran, and the rest.
/// </summary>
internal sealed class RunTimings
{
    private readonly long _start;
    private readonly List<(string Step, TimeSpan End)> _marks = [];

    /// <param name="start">When the host began (a <see cref="Stopwatch.GetTimestamp"/>): what came before is the runtime's.</param>
    public RunTimings(long start) => _start = start;

    private TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>The step that ends now (it began at the previous mark, or when the host started).</summary>
    public void Mark(string step) => _marks.Add((step, Now));

    /// <summary>One line: start-up, the marked steps, the targets (their own durations), and the total.</summary>
    public string Describe(IEnumerable<ExecutableTarget> targets)
    {
        var parts = new List<string>();
        // Reading the process's start time costs a few milliseconds, so only a verbose run asks for it.
        var now = Now;
        var startup = DateTime.Now - Process.GetCurrentProcess().StartTime - now;
        parts.Add($"runtime start-up {Ms(startup)}");
        var previous = TimeSpan.Zero;
        foreach (var (step, end) in _marks)
        {
            parts.Add($"{step} {Ms(end - previous)}");
            previous = end;
        }
        var ran = targets.Where(t => t.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Aborted or ExecutionStatus.Collective).ToList();
        parts.AddRange(ran.Select(t => $"{t.Name} {Ms(t.Duration)}"));
        var rest = now - previous - ran.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration);
        parts.Add($"other {Ms(rest)}");
        parts.Add($"total {Ms(startup + now)}");
        // Methods compiled at run time, on any thread: what the ReadyToRun image lacks, and the tiering's recompiles.
        parts.Add($"JIT {System.Runtime.JitInfo.GetCompiledMethodCount()} methods in {Ms(System.Runtime.JitInfo.GetCompilationTime())}");
        return "Time: " + string.Join(", ", parts);
    }

    private static string Ms(TimeSpan t) => $"{Math.Max(0, t.TotalMilliseconds):0} ms";
}
