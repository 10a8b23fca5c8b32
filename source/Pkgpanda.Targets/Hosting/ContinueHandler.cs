namespace Pkgpanda.Targets;

/// <summary>
/// NUKE's <c>--continue</c>: without it the saved attempt is forgotten; with it, what succeeded in the last attempt of
/// the same invocation is skipped. Every success is saved at once, so a killed run can be resumed too.
/// </summary>
internal sealed class ContinueHandler
{
    public const string SkipReason = "succeeded in the previous attempt (--continue)";

    private readonly ContinueState _state;
    private readonly HashSet<string> _previous;
    private readonly List<string> _succeeded;

    public ContinueHandler(string root, IReadOnlyList<string> args, Arguments arguments)
    {
        _state = new ContinueState(Path.Combine(root, ".nuke", "temp", "build-attempt.json"), ContinueState.InvocationOf(args));
        var resume = arguments.Has("continue");
        _previous = resume ? _state.LoadSucceeded() : [];
        if (!resume) _state.Clear();
        _succeeded = [.. _previous];
    }

    public string? Reason(ExecutableTarget target) => _previous.Contains(target.Name) ? SkipReason : null;

    public void Succeeded(ExecutableTarget target)
    {
        _succeeded.Add(target.Name);
        _state.Save(_succeeded);
    }

    /// <summary>A build that succeeded has nothing to continue.</summary>
    public void Finished(bool succeeded)
    {
        if (succeeded) _state.Clear();
    }
}
