using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// The builder's output folder, laid out as pkgpanda lays it out (<c>cache/packages/&lt;name&gt;/&lt;id&gt;.tar.xz</c>,
/// <c>[variant.]latest</c>, <c>cache/bootstrap</c>, <c>cache/complete</c>), so existing tooling finds things.
/// Each tarball has a <see cref="TarballRecord"/> beside it; a tarball that no longer matches its record is not a
/// cached package (<see cref="Check"/>).
/// </summary>
public sealed class PackageCache(string cacheDir)
{
    public string Root { get; } = Path.GetFullPath(cacheDir);

    public string PackageFolder(string name) => Path.Combine(Root, "packages", name);

    public string PackagePath(PackageId id) => Path.Combine(PackageFolder(id.Name), id + ".tar.xz");

    public string LogPath(PackageId id) => Path.Combine(PackageFolder(id.Name), id + ".log");

    public string LatestPath(PackageKey key) => Path.Combine(PackageFolder(key.Name), Variant.Prefix(key.Variant) + "latest");

    public string BootstrapFolder => Path.Combine(Root, "bootstrap");

    public string CompleteFolder => Path.Combine(Root, "complete");

    /// <summary>Scratch space for in-flight work; each build gets its own folder, so a killed run never blocks the next.</summary>
    public string ScratchFolder => Path.Combine(Root, "tmp");

    /// <summary>Failed builds kept for inspection (<c>--keep-failed</c>); never read by the builder.</summary>
    public string FailedFolder => Path.Combine(Root, "failed");

    /// <summary>Successful builds' folders kept for inspection (<c>--dont-clean-after-build</c>); never read by the builder.</summary>
    public string KeptFolder => Path.Combine(Root, "kept");

    /// <summary>Held while one process builds <paramref name="id"/> (and while Clean removes its kept folders).</summary>
    public string BuildLockPath(PackageId id) => Path.Combine(PackageFolder(id.Name), $".{id}.lock");

    /// <summary>
    /// Held shared by every run that uses the cache, for its whole life, and exclusively by <c>Clean</c> when it removes
    /// what a run may read (built packages, temporaries). Never deleted, so every holder locks the same file.
    /// </summary>
    public string RunLockPath => Path.Combine(Root, ".lock");

    /// <summary>Whether the package is in the cache, whole: its tarball matches its record.</summary>
    public bool Contains(PackageId id) => Check(id).State == CacheState.Verified;

    /// <summary>
    /// Whether the tarball of <paramref name="id"/> is there and is what was written. A stat and a compare when it is
    /// unchanged; a re-hash when its size or time changed (a touched file with the same bytes is still good). A tarball
    /// without a record (written by an older version, or a run killed between the two renames) is accepted when it reads
    /// whole (every xz block and tar header intact), and then recorded.
    /// </summary>
    public CacheCheck Check(PackageId id)
    {
        var tarball = PackagePath(id);
        var file = new FileInfo(tarball);
        if (!file.Exists) return CacheCheck.Missing;
        if (FileType.Of(tarball, followLinks: true) is var kind and not FileKind.Regular)
            return CacheCheck.Corrupt($"it is {FileType.Describe(kind)}, not a regular file");
        try
        {
            var record = TarballRecord.Read(tarball);
            if (record is not null && record.StatMatches(file)) return CacheCheck.Verified;
            var now = TarballRecord.Of(tarball);
            if (record is not null)
            {
                if (now.Size != record.Size || now.Sha256 != record.Sha256)
                    return CacheCheck.Corrupt(now.Size != record.Size
                        ? $"it has {now.Size} bytes, {record.Size} were written"
                        : $"its sha256 is {now.Sha256}, {record.Sha256} was written");
            }
            else if (TarballTest.Problem(tarball) is { } problem)
                return CacheCheck.Corrupt($"it has no record of what was written, and it does not read as a .tar.xz: {problem}");
            TryWriteRecord(tarball, now);
            return CacheCheck.Verified;
        }
        catch (Exception ex) when (FileSystemFault.Of(ex, tarball, "read the cached package") is { } fault)
        {
            throw fault;
        }
    }

    /// <summary>Records the tarball of <paramref name="id"/> as it is now; called right after it was packed or downloaded.</summary>
    public void Record(PackageId id)
    {
        var tarball = PackagePath(id);
        FileSystemFault.Guard(TarballRecord.PathFor(tarball), "record the package's size and sha256", () => TarballRecord.Of(tarball).Write(tarball));
    }

    /// <summary>Moves a tarball that failed its check to <c>&lt;id&gt;.tar.xz.corrupt</c> (for a look), so it can be built again; returns that path.</summary>
    public string SetAside(PackageId id) => SetAside(PackagePath(id));

    /// <summary>
    /// Moves a damaged package tarball to <c>&lt;tarball&gt;.corrupt</c> (or <c>.corrupt.2</c>, <c>.corrupt.3</c>...: an
    /// earlier damaged copy is kept, not overwritten, as what damaged both may show in them) and drops its record;
    /// returns where it went.
    /// </summary>
    internal static string SetAside(string tarball)
    {
        var aside = tarball + ".corrupt";
        FileSystemFault.Guard(tarball, "move the damaged package aside", () =>
        {
            for (var n = 2; ; n++)
            {
                try
                {
                    if (!File.Exists(aside))
                    {
                        File.Move(tarball, aside, overwrite: false);
                        break;
                    }
                }
                catch (IOException) when (File.Exists(aside) && File.Exists(tarball)) { } // another run took that name first
                aside = $"{tarball}.corrupt.{n}";
            }
            File.Delete(TarballRecord.PathFor(tarball));
        });
        return aside;
    }

    /// <summary>Points <c>latest</c> at a package; only after its tarball is in place.</summary>
    public void WriteLatest(PackageKey key, PackageId id)
    {
        if (!File.Exists(PackagePath(id))) throw new InvalidOperationException($"latest must not point at {id} before {PackagePath(id)} exists.");
        // A no-op run finds every pointer in place: rewriting (and syncing) one per package cost most of such a run.
        try
        {
            if (File.ReadAllText(LatestPath(key)) == id.ToString()) return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        AtomicFile.WriteAllText(LatestPath(key), id.ToString());
    }

    /// <summary>
    /// Removes what killed runs left: scratch folders and temporaries (tarballs, logs, <c>latest</c>, records, downloads,
    /// half git mirrors) of processes that are gone, or those <paramref name="remove"/> names. Only the folders where the
    /// cache writes are looked at, never the inside of a git mirror or a source.
    /// </summary>
    public int RemoveAbandoned(Func<int, bool>? remove = null)
    {
        remove ??= Temporary.IsAbandoned;
        var removed = Building.Scratch.RemoveAbandoned(ScratchFolder, remove);
        foreach (var folder in new[] { Root, BootstrapFolder, CompleteFolder, Path.Combine(Root, "upstream") })
            removed += Temporary.Sweep(folder, remove);
        var packages = Path.Combine(Root, "packages");
        if (!Directory.Exists(packages)) return removed;
        foreach (var package in SafeFolders(packages))
        {
            removed += Temporary.Sweep(package, remove);
            // Source caches (downloads, git mirrors) live one level down: cache/packages/<name>/<source>/.
            foreach (var source in SafeFolders(package))
                if (Temporary.OwnerOf(Path.GetFileName(source)) is null) removed += Temporary.Sweep(source, remove);
        }
        return removed;
    }

    private static List<string> SafeFolders(string folder)
    {
        try { return Directory.EnumerateDirectories(folder).Where(d => FileType.Of(d) == FileKind.Directory).ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return []; }
    }

    private static void TryWriteRecord(string tarball, TarballRecord record)
    {
        // Best effort: a read-only cache can still be checked (Hash on a shared tree); the next check hashes again. A folder
        // where the record belongs is said: every run would read the whole tarball again, silently.
        var path = TarballRecord.PathFor(tarball);
        try { record.Write(tarball); }
        catch (EnvironmentFault) when (Directory.Exists(path)) { throw; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EnvironmentFault) { }
    }
}
