using System.Text.RegularExpressions;

namespace Pkgpanda.Core.Store;

/// <summary>
/// The names of in-flight files and folders in the cache, and their sweeping. Every temporary is named
/// <c>.&lt;final name&gt;.&lt;pid&gt;.&lt;unique&gt;.tmp</c> (a build log: <c>&lt;id&gt;.log.&lt;pid&gt;.tmp</c>), beside its final name
/// so the rename cannot cross file systems. The pid says whose it is: a run removes the temporaries of processes that
/// are gone (killed with SIGKILL, say), never those of a live one, which may be a concurrent run on the same cache.
/// </summary>
internal static partial class Temporary
{
    /// <summary>A unique temporary path beside <paramref name="destination"/>, owned by this process.</summary>
    public static string Beside(string destination) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(destination))!, $".{Path.GetFileName(destination)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>The process that owns a temporary named <paramref name="name"/>; null when it is not a temporary.</summary>
    public static int? OwnerOf(string name) =>
        Pattern().Match(name) is { Success: true } m && int.TryParse(m.Groups["pid"].ValueSpan, out var pid) ? pid : null;

    /// <summary>
    /// Removes, in <paramref name="folder"/> itself (not below), the temporaries whose owner <paramref name="remove"/> says
    /// may go. Returns how many were removed; one that cannot be removed is left for a later run.
    /// </summary>
    public static int Sweep(string folder, Func<int, bool> remove)
    {
        var removed = 0;
        IEnumerable<string> entries;
        // A folder that is not there has nothing to sweep; asking costs a thrown exception (milliseconds, on a no-op run).
        if (!Directory.Exists(folder)) return 0;
        try { entries = Directory.EnumerateFileSystemEntries(folder, "*.tmp").ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var path in entries)
        {
            if (OwnerOf(Path.GetFileName(path)) is not { } pid || !remove(pid)) continue;
            try
            {
                if (FileType.Of(path) == FileKind.Directory) FileTree.Delete(path);
                else File.Delete(path);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>May the temporaries of <paramref name="pid"/> go? Only when that process is gone.</summary>
    public static bool IsAbandoned(int pid) => pid != Environment.ProcessId && !Runners.LocalHost.IsAlive(pid);

    [GeneratedRegex(@"\.(?<pid>[0-9]{1,10})(\.[0-9a-f]{32})?\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
