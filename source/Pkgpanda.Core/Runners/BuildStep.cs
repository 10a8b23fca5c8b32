namespace Pkgpanda.Core.Runners;

/// <summary>
/// One build step, described by what goes in and what comes out, not by how files travel: a runner whose
/// engine sees our files binds them, one that does not ships them (tar streams through the Engine API), and a
/// later runner may do something else again. Network is off unless asked for.
/// </summary>
public sealed record BuildStep
{
    /// <summary>The image id (not a name): the step runs in exactly the image the package id was computed with.</summary>
    public required string Image { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyList<StepInput> Inputs { get; init; } = [];
    /// <summary>The folder the step fills; null when it produces nothing the caller keeps.</summary>
    public StepOutput? Output { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }
    public bool Network { get; init; }
    /// <summary>
    /// The step's container may be started at its prepare, its command held back by <c>/bin/sh</c> until the step
    /// runs (container start-up off the critical path). Only for images that have <c>/bin/sh</c>; a runner that
    /// cannot start it early starts it when it runs, as without. Every input, deferred ones included, must exist as
    /// a folder at the prepare (bound folders are then seen live).
    /// </summary>
    public bool StartEarly { get; init; }
    /// <summary>What the step is, for labels and messages (a package id).</summary>
    public string Name { get; init; } = "build";
}

/// <summary>
/// A host folder the step sees at <paramref name="ContainerPath"/>. <paramref name="Writable"/> folders may be
/// changed by the step, but the changes are not brought back: only <see cref="BuildStep.Output"/> is.
/// A <paramref name="Deferred"/> folder is filled after <see cref="IRunner.PrepareAsync"/> (the activated requires
/// of a package prepared while they still build): a runner reads it only when the step starts.
/// </summary>
public sealed record StepInput(string HostPath, string ContainerPath, bool Writable = false, bool Deferred = false);

/// <summary>
/// The step's result: <paramref name="HostPath"/>'s content is there at <paramref name="ContainerPath"/> when the
/// step starts, and what the step left there is in <paramref name="HostPath"/> when it ends, owned by the invoking
/// user, whichever way it travelled.
/// </summary>
public sealed record StepOutput(string HostPath, string ContainerPath);
