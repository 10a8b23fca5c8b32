using Pkgpanda.Core.Hashing;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// Builder images from packages' own <c>docker/</c> folders, named as DC/OS names them
/// (<c>dcos/dcos-builder:&lt;package&gt;_dockerdir-latest</c>). The content-hash tag means an unchanged folder
/// is never rebuilt.
/// </summary>
public static class BuilderImages
{
    public const string Repository = "dcos/dcos-builder";

    public static string LatestTag(string package) => $"{Repository}:{package}_dockerdir-latest";

    public static string HashTag(string package, string folderHash) => $"{Repository}:{package}_dockerdir-{folderHash}";

    /// <summary>Builds (or finds) every package builder; returns the packages whose image had to be built.</summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(IRunner runner, IReadOnlyDictionary<string, string> builders,
        IProgress<string> output, CancellationToken cancellationToken)
    {
        var built = new List<string>();
        foreach (var (package, folder) in builders.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            var hashTag = HashTag(package, FolderHash.Of(folder));
            var id = await runner.TryGetImageIdAsync(hashTag, cancellationToken).ConfigureAwait(false);
            if (id is null)
            {
                output.Report($"Building builder image {hashTag} from {folder}");
                id = await runner.BuildImageAsync(folder, hashTag, output, cancellationToken).ConfigureAwait(false);
                built.Add(package);
            }
            if (await runner.TryGetImageIdAsync(LatestTag(package), cancellationToken).ConfigureAwait(false) != id)
                await runner.TagImageAsync(id, LatestTag(package), cancellationToken).ConfigureAwait(false);
        }
        return built;
    }
}
