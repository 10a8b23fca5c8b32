namespace Pkgpanda.EndToEnd.Tests;

/// <summary>A private copy of the example tree (or an empty one), so tests can change it and build into their own cache.</summary>
public sealed class ExampleTree : IDisposable
{
    public ExampleTree(bool gitRepository = false) : this(copyExample: true, gitRepository) { }

    private ExampleTree(bool copyExample, bool gitRepository)
    {
        // Mirrors the repository's layout (<repo>/examples/packages), so project-source's git_local "../../.."
        // names the copy's own repository when one is made.
        Repository = Path.Combine(Path.GetTempPath(), "pkgpanda-e2e", Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Repository, "examples", "packages");
        if (copyExample) Copy(Path.Combine(Cli.RepoRoot, "examples", "packages"), Root);
        else Directory.CreateDirectory(Root);
        if (gitRepository) CommitAll(Repository);
    }

    /// <summary>An empty packages folder, for generated trees.</summary>
    public static ExampleTree Empty() => new(copyExample: false, gitRepository: false);

    public string Repository { get; }

    public string Root { get; }

    private static void CommitAll(string folder)
    {
        foreach (var args in new[] { new[] { "init", "-q" }, ["add", "-A"], ["-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-qm", "tree"] })
        {
            var result = Tool.RunAsync("git", ["-C", folder, .. args]).GetAwaiter().GetResult();
            if (result.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {result.Output}");
        }
    }

    public string Cache => Path.Combine(Root, "cache");

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public string[] Args(params string[] args) => [.. args, "--packages-dir", Root];

    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            if (entry.Name == "cache") continue;
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is not null) File.CreateSymbolicLink(target, entry.LinkTarget);
            else if (entry is DirectoryInfo) Copy(entry.FullName, target);
            else
            {
                File.Copy(entry.FullName, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(entry.FullName));
            }
        }
    }

    /// <summary>Every file under the cache with its size and time: "the cache is as before" compares these.</summary>
    public List<string> CacheSnapshot() => Directory.Exists(Cache)
        ? Directory.EnumerateFileSystemEntries(Cache, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p):O}" : p).ToList()
        : [];

    public void Dispose()
    {
        try { Directory.Delete(Repository, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
