using System.Runtime.CompilerServices;

namespace Pkgpanda.Targets;

/// <summary>The fluent API a target is declared with (NUKE's names and meanings).</summary>
public interface ITargetDefinition
{
    ITargetDefinition Description(string description);
    ITargetDefinition DependsOn(params Target[] targets);
    ITargetDefinition DependentFor(params Target[] targets);
    ITargetDefinition After(params Target[] targets);
    ITargetDefinition Before(params Target[] targets);
    ITargetDefinition Triggers(params Target[] targets);
    ITargetDefinition TriggeredBy(params Target[] targets);
    ITargetDefinition OnlyWhenStatic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? text = null);
    ITargetDefinition OnlyWhenDynamic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? text = null);
    /// <summary>NUKE's <c>.Requires(() => Parameter)</c>: the target needs a value of that parameter (named from the lambda's text).</summary>
    ITargetDefinition Requires<T>(Func<T> parameter, [CallerArgumentExpression(nameof(parameter))] string? expression = null);
    ITargetDefinition ProceedAfterFailure();
    ITargetDefinition AssuredAfterFailure();
    ITargetDefinition Unlisted();
    ITargetDefinition Executes(Action action);
    ITargetDefinition Executes(Func<Task> action);
    ITargetDefinition Executes(Func<CancellationToken, Task> action);
}
