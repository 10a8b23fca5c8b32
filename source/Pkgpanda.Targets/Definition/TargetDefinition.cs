namespace Pkgpanda.Targets;

/// <summary>The state a target's declaration collects; the planner and executor read it.</summary>
internal sealed class TargetDefinition(string name) : ITargetDefinition
{
    public string Name { get; } = name;
    public string? DescriptionText { get; private set; }
    public List<Target> DependsOnTargets { get; } = [];
    public List<Target> DependentForTargets { get; } = [];
    public List<Target> AfterTargets { get; } = [];
    public List<Target> BeforeTargets { get; } = [];
    public List<Target> TriggersTargets { get; } = [];
    public List<Target> TriggeredByTargets { get; } = [];
    public List<(Func<bool> Condition, string Text)> StaticConditions { get; } = [];
    public List<(Func<bool> Condition, string Text)> DynamicConditions { get; } = [];
    public List<(string Member, Func<object?> Value)> RequiredParameters { get; } = [];
    public bool IsProceedAfterFailure { get; private set; }
    public bool IsAssuredAfterFailure { get; private set; }
    public bool IsUnlisted { get; private set; }
    public List<Func<CancellationToken, Task>> Actions { get; } = [];

    public ITargetDefinition Description(string description) { DescriptionText = description; return this; }
    public ITargetDefinition DependsOn(params Target[] targets) { DependsOnTargets.AddRange(targets); return this; }
    public ITargetDefinition DependentFor(params Target[] targets) { DependentForTargets.AddRange(targets); return this; }
    public ITargetDefinition After(params Target[] targets) { AfterTargets.AddRange(targets); return this; }
    public ITargetDefinition Before(params Target[] targets) { BeforeTargets.AddRange(targets); return this; }
    public ITargetDefinition Triggers(params Target[] targets) { TriggersTargets.AddRange(targets); return this; }
    public ITargetDefinition TriggeredBy(params Target[] targets) { TriggeredByTargets.AddRange(targets); return this; }

    public ITargetDefinition OnlyWhenStatic(Func<bool> condition, string? text = null)
    {
        StaticConditions.Add((condition, text ?? "condition"));
        return this;
    }

    public ITargetDefinition OnlyWhenDynamic(Func<bool> condition, string? text = null)
    {
        DynamicConditions.Add((condition, text ?? "condition"));
        return this;
    }

    /// <summary>
    /// The member is read from the lambda's text (<c>() => RepositoryUrl</c>, <c>() => this.ApiKey</c>), not from an
    /// expression tree: building and compiling one cost every run several milliseconds, for every target declared.
    /// </summary>
    public ITargetDefinition Requires<T>(Func<T> parameter, string? expression = null)
    {
        RequiredParameters.Add((MemberOf(expression ?? ""), () => parameter()));
        return this;
    }

    /// <summary>The last name of a member access after <c>=></c>; the text itself when it is something else.</summary>
    internal static string MemberOf(string expression)
    {
        var arrow = expression.IndexOf("=>", StringComparison.Ordinal);
        var body = (arrow >= 0 ? expression[(arrow + 2)..] : expression).Trim();
        var last = body[(body.LastIndexOf('.') + 1)..].TrimEnd('!').TrimStart('@');
        return last.Length > 0 && (char.IsLetter(last[0]) || last[0] == '_') && last.All(c => char.IsLetterOrDigit(c) || c == '_') &&
               body.All(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '!' or '@')
            ? last
            : body;
    }

    public ITargetDefinition ProceedAfterFailure() { IsProceedAfterFailure = true; return this; }
    public ITargetDefinition AssuredAfterFailure() { IsAssuredAfterFailure = true; return this; }
    public ITargetDefinition Unlisted() { IsUnlisted = true; return this; }

    public ITargetDefinition Executes(Action action)
    {
        Actions.Add(_ => { action(); return Task.CompletedTask; });
        return this;
    }

    public ITargetDefinition Executes(Func<Task> action) { Actions.Add(_ => action()); return this; }
    public ITargetDefinition Executes(Func<CancellationToken, Task> action) { Actions.Add(action); return this; }
}
