using System.Diagnostics;

namespace Pkgpanda.Targets;

/// <summary>
/// Runs a plan in order. A failure stops the build (the rest is NotRun) unless the failed target proceeds
/// after failure; assured targets run regardless. Skips (<c>--skip</c>, static and dynamic conditions,
/// <c>--continue</c>) carry their reason. A skipped target counts as done for its dependants, as in NUKE.
/// </summary>
internal sealed class BuildExecutor(IBuildOutput output)
{
    public async Task<bool> ExecuteAsync(IReadOnlyList<ExecutableTarget> plan, Func<ExecutableTarget, string?> skipReason,
        Action<ExecutableTarget> onSucceeded, CancellationToken cancellationToken)
    {
        var stopped = false;
        var failed = new HashSet<ExecutableTarget>();
        foreach (var target in plan)
        {
            if (cancellationToken.IsCancellationRequested) { target.Status = ExecutionStatus.NotRun; continue; }
            if (stopped && !target.Definition.IsAssuredAfterFailure) { target.Status = ExecutionStatus.NotRun; continue; }
            var failedDependency = target.ExecutionDependencies.FirstOrDefault(failed.Contains);
            if (failedDependency is not null)
            {
                target.Status = ExecutionStatus.NotRun;
                target.SkipReason = $"{failedDependency.Name} failed";
                failed.Add(target);
                continue;
            }
            var reason = skipReason(target) ?? FalseCondition(target.Definition.StaticConditions);
            if (reason is not null) { Skip(target, reason); continue; }

            var watch = Stopwatch.StartNew();
            try
            {
                // Dynamic conditions see what the targets before this one did, so they are asked only now.
                var dynamicReason = FalseCondition(target.Definition.DynamicConditions);
                if (dynamicReason is not null) { Skip(target, dynamicReason); continue; }
                output.TargetStarting(target);
                target.Status = ExecutionStatus.Running;
                foreach (var action in target.Definition.Actions)
                    await action(cancellationToken).ConfigureAwait(false);
                target.Status = target.Definition.Actions.Count == 0 ? ExecutionStatus.Collective : ExecutionStatus.Succeeded;
                target.Duration = watch.Elapsed;
                onSucceeded(target);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                target.Status = ExecutionStatus.Aborted;
                target.Duration = watch.Elapsed;
                target.SkipReason = "cancelled";
                stopped = true;
            }
            catch (Exception ex)
            {
                target.Status = ExecutionStatus.Failed;
                target.Duration = watch.Elapsed;
                target.FailureMessage = ex.Message;
                failed.Add(target);
                output.TargetFailed(target, ex);
                if (!target.Definition.IsProceedAfterFailure) stopped = true;
            }
            output.TargetFinished(target);
        }
        return plan.All(t => t.Status is ExecutionStatus.Succeeded or ExecutionStatus.Skipped or ExecutionStatus.Collective);
    }

    private static string? FalseCondition(List<(Func<bool> Condition, string Text)> conditions) =>
        conditions.Where(c => !c.Condition()).Select(c => $"condition false: {c.Text}").FirstOrDefault();

    private void Skip(ExecutableTarget target, string reason)
    {
        target.Status = ExecutionStatus.Skipped;
        target.SkipReason = reason;
        output.TargetSkipped(target);
    }
}
