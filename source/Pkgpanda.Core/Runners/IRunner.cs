namespace Pkgpanda.Core.Runners;

/// <summary>
/// Runs build steps (melange's Runner). Images are another concern (<see cref="IImageStore"/>); an engine that
/// does both implements both. Only the implementing file knows the engine's API.
/// </summary>
public interface IRunner
{
    /// <summary>Where steps run, as the user named it (an engine address), for logs and the summary.</summary>
    string Address { get; }

    /// <summary>
    /// Runs to completion and returns the exit code; whatever the step created is removed in every case.
    /// Throws <see cref="EngineLost"/> when the engine stopped answering, <see cref="EnvironmentFault"/> when it refused.
    /// </summary>
    Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken);

    /// <summary>
    /// Does what can be done before the step may start (a container created, the inputs that are ready sent), so the
    /// start costs little. <see cref="StepInput.Deferred"/> inputs may still change until <see cref="IPreparedStep.RunAsync"/>.
    /// A runner that cannot prepare ahead does everything when the step runs.
    /// </summary>
    Task<IPreparedStep> PrepareAsync(BuildStep step, CancellationToken cancellationToken) =>
        Task.FromResult<IPreparedStep>(new UnpreparedStep(this, step));

    /// <summary>
    /// Learns ahead, while the run still starts, what the first step's prepare would otherwise wait for (whether the
    /// engine sees our files: <paramref name="folder"/> is an empty scratch folder of the run, <paramref name="image"/>
    /// the image its first steps run in). Best effort: never throws for the engine's faults; the steps meet those.
    /// </summary>
    Task WarmAsync(string folder, string image, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits until what finished steps left behind (their containers) is gone; a run ends with it.</summary>
    Task FlushAsync();

    /// <summary>Removes what runs on this host that were killed left behind (never another host's); returns how many.</summary>
    Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A step made ready to start by <see cref="IRunner.PrepareAsync"/>. Run it once; disposing a step that was not run
/// removes what was prepared (a step that ran cleans up as <see cref="IRunner.RunAsync"/> does).
/// </summary>
public interface IPreparedStep : IAsyncDisposable
{
    /// <summary>
    /// The deferred inputs are final (the requires are activated): a runner that ships files sends them now, while the
    /// step still waits for a slot, so its start costs less. Optional: <see cref="RunAsync"/> sends what was not sent.
    /// </summary>
    Task CompleteInputsAsync(CancellationToken cancellationToken);

    /// <summary>Sends the deferred inputs, starts the step, waits for it and brings its output back; returns the exit code.</summary>
    Task<long> RunAsync(IProgress<string> output, CancellationToken cancellationToken);
}

/// <summary>The prepared step of a runner that prepares nothing ahead: it all happens in <see cref="RunAsync"/>.</summary>
internal sealed class UnpreparedStep(IRunner runner, BuildStep step) : IPreparedStep
{
    public Task CompleteInputsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<long> RunAsync(IProgress<string> output, CancellationToken cancellationToken) => runner.RunAsync(step, output, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
