using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Building;

/// <summary>What every package build shares: where results go, the engines, the sources, where events go.</summary>
public sealed record BuildContext
{
    public required PackageCache Cache { get; init; }
    /// <summary>Where build steps run: one engine or several.</summary>
    public required EnginePool Engines { get; init; }
    public required SourceFetchService Sources { get; init; }
    public required IProgress<BuildEvent> Events { get; init; }
    /// <summary>Builds run without network unless a user asks for it (pkgpanda always had it).</summary>
    public bool Network { get; init; }
    /// <summary>Keep a failed build's folder under <c>cache/failed/&lt;id&gt;</c> instead of deleting it.</summary>
    public bool KeepFailed { get; init; }
    /// <summary>
    /// pkgpanda's --dont-clean-after-build: keep every build's folder, a successful one under <c>cache/kept/&lt;id&gt;</c>
    /// and a failed one under <c>cache/failed/&lt;id&gt;</c> (as <see cref="KeepFailed"/>).
    /// </summary>
    public bool KeepAll { get; init; }
    /// <summary>NUM_CORES for build scripts.</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;
    /// <summary>The file-hash cache the ids were computed with: an entry found wrong when a build ends is dropped from it.</summary>
    public Hashing.FileHashCache? Hashes { get; init; }
    /// <summary>Tries a shared repository before building; null when there is none.</summary>
    public Func<Model.PackageId, CancellationToken, Task<bool>>? TryDownload { get; init; }
}
