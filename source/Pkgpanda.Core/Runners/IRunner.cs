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

    /// <summary>Waits until what finished steps left behind (their containers) is gone; a run ends with it.</summary>
    Task FlushAsync();

    /// <summary>Removes what runs on this host that were killed left behind (never another host's); returns how many.</summary>
    Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken);
}
