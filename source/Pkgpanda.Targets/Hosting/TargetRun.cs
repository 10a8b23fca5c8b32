using System.Diagnostics;

namespace Pkgpanda.Targets;

/// <summary>
/// Runs the invoked targets: plans them, applies the skips (<see cref="SkipHandler"/>, <see cref="ContinueHandler"/>),
/// checks required parameters, executes under <see cref="Interruption"/> (Ctrl+C, SIGTERM) and prints the summary.
/// </summary>
internal static class TargetRun
{
    public static async Task<int> ExecuteAsync(NukeBuild build, IReadOnlyList<string> args, Arguments arguments, HostOptions options,
        TargetGraph graph, IReadOnlyList<ExecutableTarget> invoked, IReadOnlyList<ParameterInfo> parameters, ConsoleOutput output, TimeSpan interruptGrace,
        RunTimings timings)
    {
        using var cancellation = new CancellationTokenSource();
        build.CancellationToken = cancellation.Token;
        // Ctrl+C / SIGTERM cancel the run; a run still going after the grace period exits anyway (Interruption).
        using var interruption = new Interruption(cancellation, interruptGrace, build.OnInterruptTimedOut, message => output.Log(LogLevel.Warning, message));
        var plan = ExecutionPlanner.Plan(graph, invoked);
        var skip = SkipHandler.Rule(options.Skip, graph);
        var resume = new ContinueHandler(build.RootDirectory, args, arguments);
        string? Reason(ExecutableTarget t) => skip(t) ?? resume.Reason(t);
        RequirementCheck.Check(plan, Reason, parameters);
        if (!options.NoLogo) output.Logo(build.GetType().Name);
        timings.Mark("plan");

        var watch = Stopwatch.StartNew();
        var ok = await new BuildExecutor(output).ExecuteAsync(plan, Reason, resume.Succeeded, cancellation.Token).ConfigureAwait(false);
        output.Summary(plan, ok, watch.Elapsed);
        resume.Finished(ok);
        if (output.Verbosity >= Verbosity.Verbose)
        {
            // Which program ran: build.sh's quick one, or the composite one it compiles in the background (issue 14).
            output.Log(LogLevel.Debug, $"Program: {AppContext.BaseDirectory}");
            output.Log(LogLevel.Debug, timings.Describe(plan));
        }
        if (cancellation.IsCancellationRequested) return interruption.ExitCode ?? ExitCode.Cancelled;
        return ok ? ExitCode.Succeeded : ExitCode.Failed;
    }
}
