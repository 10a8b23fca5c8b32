using Pkgpanda.Core.Runners;

namespace Pkgpanda.Core.Tests.Building;

/// <summary>
/// The real engine for tests that build. Outside CI a missing engine skips them; with CI=true it fails them,
/// since CI must prove the real thing.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (!Engine.Available && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "no Docker engine answers (run ./build.sh --target Setup)";
    }
}

public static class Engine
{
    public const string Image = "dcos/dcos-builder:dcos-builder_dockerdir-latest";

    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        return docker.PingAsync(CancellationToken.None).GetAwaiter().GetResult()
               && docker.TryGetImageIdAsync(Image, CancellationToken.None).GetAwaiter().GetResult() is not null;
    }
}
