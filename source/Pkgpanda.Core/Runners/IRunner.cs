namespace Pkgpanda.Core.Runners;

/// <summary>A build container: image, mounts, environment, command. Network is off unless asked for.</summary>
public sealed record ContainerSpec
{
    public required string Image { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    /// <summary>Host path -> container path.</summary>
    public IReadOnlyList<Mount> Mounts { get; init; } = [];
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }
    public bool Network { get; init; }
    /// <summary>A label value that identifies our containers (so leftovers can be found and removed).</summary>
    public string? Name { get; init; }
}

public sealed record Mount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>Runs build containers. One implementation per engine; only that file knows the engine's API.</summary>
public interface IRunner : IImageResolver
{
    /// <summary>Runs to completion and returns the exit code; the container is removed in every case.</summary>
    Task<long> RunAsync(ContainerSpec spec, IProgress<string> output, CancellationToken cancellationToken);

    /// <summary>Builds an image from a folder with a Dockerfile; returns its id.</summary>
    Task<string> BuildImageAsync(string contextDirectory, string tag, IProgress<string>? output, CancellationToken cancellationToken);

    Task<string?> TryGetImageIdAsync(string image, CancellationToken cancellationToken);

    Task TagImageAsync(string imageId, string tag, CancellationToken cancellationToken);

    /// <summary>Gives files a container created as root back to the invoking user (a no-op when that is root).</summary>
    Task FixOwnershipAsync(string image, IReadOnlyList<string> hostPaths, CancellationToken cancellationToken);
}
