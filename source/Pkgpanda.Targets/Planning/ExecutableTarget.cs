namespace Pkgpanda.Targets;

internal enum ExecutionStatus { Scheduled, Running, Succeeded, Failed, Skipped, NotRun, Aborted, Collective }

/// <summary>A declared target bound to its resolved relations, and what happened to it in this run.</summary>
internal sealed class ExecutableTarget(TargetDefinition definition, bool isDefault)
{
    public TargetDefinition Definition { get; } = definition;
    public string Name => Definition.Name;
    public bool IsDefault { get; } = isDefault;
    public string? Description => Definition.DescriptionText;
    public bool Listed => !Definition.IsUnlisted;

    /// <summary>Must run before this one, and are scheduled with it (DependsOn, reverse DependentFor).</summary>
    public List<ExecutableTarget> ExecutionDependencies { get; } = [];
    /// <summary>Run before this one if both are scheduled (After, reverse Before).</summary>
    public List<ExecutableTarget> OrderDependencies { get; } = [];
    /// <summary>Scheduled after this one when it runs (Triggers, reverse TriggeredBy).</summary>
    public List<ExecutableTarget> Triggers { get; } = [];

    public bool Invoked { get; set; }
    public ExecutionStatus Status { get; set; } = ExecutionStatus.NotRun;
    public string? SkipReason { get; set; }
    public string? FailureMessage { get; set; }
    public TimeSpan Duration { get; set; }

    public override string ToString() => Name;
}
