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

    /// <summary>
    /// What <see cref="EnsureAsync"/> did: builders built now; builders that could not be built because a FROM image is
    /// not in the engine (<see cref="Failed"/>, with why: an image loaded by hand under the tag may stand in for it); and
    /// builders whose docker/ folder is broken (<see cref="Broken"/>: no Dockerfile, or its build failed), which nothing
    /// may stand in for, since the user's last edit of the folder would be ignored.
    /// </summary>
    public sealed record Outcome(IReadOnlyList<string> Built, IReadOnlyDictionary<string, string> Failed, IReadOnlyDictionary<string, string> Broken);

    /// <summary>
    /// Builds (or finds) the package builders whose image one of <paramref name="usedImages"/> names. Builders nobody
    /// in the selection uses are left alone. A builder that cannot be built does not stop the others, and its
    /// <c>_dockerdir-latest</c> tag is left as it is: it may be an image the user loaded by hand (there is no
    /// registry), and the package ids name the image id actually used either way.
    /// </summary>
    public static async Task<Outcome> EnsureAsync(IImageStore runner, IReadOnlyDictionary<string, string> builders,
        IReadOnlySet<string> usedImages, IProgress<string> output, FileHashCache? hashes, CancellationToken cancellationToken)
    {
        var built = new List<string>();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var broken = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var package in Ordered(builders))
        {
            var folder = builders[package];
            if (!usedImages.Contains(LatestTag(package))) continue;
            var hashTag = HashTag(package, FolderHash.Of(folder, hashes));
            var id = await runner.TryGetImageIdAsync(hashTag, cancellationToken).ConfigureAwait(false);
            if (id is null)
            {
                if (!File.Exists(Path.Combine(folder, "Dockerfile")))
                {
                    broken[package] = $"{Store.PackageStore.Shown(folder)}: a package's docker/ folder must hold a Dockerfile.";
                    continue;
                }
                try
                {
                    await CheckBaseImagesAsync(runner, folder, cancellationToken).ConfigureAwait(false);
                }
                catch (BuildError error)
                {
                    var existing = await runner.TryGetImageIdAsync(LatestTag(package), cancellationToken).ConfigureAwait(false);
                    failed[package] = error.Message + (existing is null
                        ? $"\nPackages using {LatestTag(package)} cannot be hashed or built until it exists."
                        : $"\nThe existing {LatestTag(package)} ({existing[..Math.Min(19, existing.Length)]}) is used as it is; it may not match the docker/ folder.");
                    continue;
                }
                try
                {
                    output.Report($"Building builder image {hashTag} from {folder}");
                    id = await runner.BuildImageAsync(folder, hashTag, output, cancellationToken).ConfigureAwait(false);
                    built.Add(package);
                }
                catch (BuildError error)
                {
                    broken[package] = error.Message;
                    continue;
                }
            }
            if (await runner.TryGetImageIdAsync(LatestTag(package), cancellationToken).ConfigureAwait(false) != id)
                await runner.TagImageAsync(id, LatestTag(package), cancellationToken).ConfigureAwait(false);
        }
        return new Outcome(built, failed, broken);
    }

    /// <summary>The packages with a builder, ordinally (a plain sort of the names: a run's start-up need not compile LINQ's for pairs).</summary>
    private static List<string> Ordered(IReadOnlyDictionary<string, string> builders)
    {
        var names = new List<string>(builders.Count);
        foreach (var name in builders.Keys) names.Add(name);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>
    /// Whether <see cref="EnsureAsync"/> would find nothing to do: every builder the selection uses exists for its
    /// folder's current content, and its <c>_dockerdir-latest</c> tag names that image. Asks only
    /// <paramref name="lookup"/> (image name -> id, null when absent), so a run with nothing to do stays cheap.
    /// </summary>
    public static async Task<bool> AllInPlaceAsync(Func<string, CancellationToken, Task<string?>> lookup, IReadOnlyDictionary<string, string> builders,
        IReadOnlySet<string> usedImages, FileHashCache? hashes, CancellationToken cancellationToken)
    {
        foreach (var package in Ordered(builders))
        {
            var folder = builders[package];
            if (!usedImages.Contains(LatestTag(package))) continue;
            var id = await lookup(HashTag(package, FolderHash.Of(folder, hashes)), cancellationToken).ConfigureAwait(false);
            if (id is null || await lookup(LatestTag(package), cancellationToken).ConfigureAwait(false) != id) return false;
        }
        return true;
    }

    /// <summary>
    /// There is no registry: an image build whose FROM is missing would make the engine try to pull it (and reach
    /// out to the network). Refuse that up front, naming the Dockerfile line.
    /// </summary>
    private static async Task CheckBaseImagesAsync(IImageStore runner, string folder, CancellationToken cancellationToken)
    {
        var dockerfile = Path.Combine(folder, "Dockerfile");
        var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(dockerfile))
        {
            lineNumber++;
            var words = raw.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !words[0].Equals("FROM", StringComparison.OrdinalIgnoreCase)) continue;
            var image = words.Skip(1).First(w => !w.StartsWith("--", StringComparison.Ordinal));
            if (words.Length >= 4 && words[^2].Equals("AS", StringComparison.OrdinalIgnoreCase)) stages.Add(words[^1]);
            if (image == "scratch" || stages.Contains(image) || image.Contains('$')) continue;
            if (await runner.TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false) is null)
                throw new BuildError($"{Store.PackageStore.Shown(dockerfile)}:{lineNumber}: FROM {image}: the image is not present in the engine, " +
                                     "and builds never pull (there may be no registry, and builds stay offline). " +
                                     $"Provide it first, e.g. `docker load -i image.tar` or `docker import rootfs.tar {image}`.");
        }
    }
}
