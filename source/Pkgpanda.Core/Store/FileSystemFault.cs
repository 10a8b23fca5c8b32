namespace Pkgpanda.Core.Store;

/// <summary>
/// The one translation of file-system failures into an <see cref="EnvironmentFault"/>: where the cache and scratch
/// are written, the work runs inside <see cref="Guard"/>, and a failure the environment causes (permission, an
/// immutable or read-only folder, a full disk, a file where a folder belongs) becomes one message naming the path,
/// what was being done and the cause. Anything else passes through unchanged: it is not the environment's fault.
/// </summary>
/// <remarks>
/// .NET on Linux puts the raw errno in <see cref="Exception.HResult"/> of the <see cref="IOException"/> it throws (and
/// in the inner exception of an <see cref="UnauthorizedAccessException"/>), except for ENOTDIR, which arrives as a
/// <see cref="DirectoryNotFoundException"/>; so the cause is read from the errno, never from the message text.
/// </remarks>
internal static class FileSystemFault
{
    private const int EPERM = 1, EIO = 5, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENFILE = 23, EMFILE = 24,
        EFBIG = 27, ENOSPC = 28, EROFS = 30, ENAMETOOLONG = 36, EDQUOT = 122;

    /// <summary>Runs <paramref name="work"/>; a fault of the file system becomes "<paramref name="path"/>: cannot <paramref name="action"/>: cause".</summary>
    public static T Guard<T>(string path, string action, Func<T> work)
    {
        try { return work(); }
        catch (Exception ex) when (Of(ex, path, action) is { } fault) { throw fault; }
    }

    public static void Guard(string path, string action, Action work) => Guard(path, action, () => { work(); return 0; });

    public static async Task<T> GuardAsync<T>(string path, string action, Func<Task<T>> work)
    {
        try { return await work().ConfigureAwait(false); }
        catch (Exception ex) when (Of(ex, path, action) is { } fault) { throw fault; }
    }

    public static async Task GuardAsync(string path, string action, Func<Task> work)
    {
        try { await work().ConfigureAwait(false); }
        catch (Exception ex) when (Of(ex, path, action) is { } fault) { throw fault; }
    }

    /// <summary>The fault for <paramref name="exception"/>, or null when it is not a fault of the environment.</summary>
    public static EnvironmentFault? Of(Exception exception, string path, string action) =>
        exception is EnvironmentFault or BuildError ? null
        : Cause(exception, path) is { } cause ? new EnvironmentFault($"{PackageStore.Shown(path)}: cannot {action}: {cause}.", exception)
        : null;

    /// <summary>Whether the exception (or one it wraps) is a full disk or an exhausted quota.</summary>
    public static bool IsNoSpace(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            if (e is IOException { HResult: ENOSPC or EDQUOT }) return true;
        return false;
    }

    /// <summary>The cause in a user's words, or null when the exception is not one the environment causes.</summary>
    public static string? Cause(Exception exception, string path)
    {
        if (exception is DirectoryNotFoundException)
            return FileOnTheWay(path) is { } file
                ? $"{PackageStore.Shown(file)} is a file, where a folder is needed; move it away"
                : "a folder on the way does not exist (was it removed while this ran?)";
        // Opening a folder as a file is "access denied" to .NET, whoever runs it: say what it is.
        if (exception is UnauthorizedAccessException && Directory.Exists(path))
            return "it is a folder, where a file is needed; move it away";
        var errno = exception switch
        {
            UnauthorizedAccessException { InnerException: IOException inner } => inner.HResult,
            UnauthorizedAccessException => EACCES,
            PathTooLongException => ENAMETOOLONG,
            IOException io => io.HResult,
            _ => 0,
        };
        // For a path not yet there, the folder that refused is its nearest existing ancestor: name it.
        var where = Path.Exists(path) ? "" : NearestFolder(path) is { } folder ? $" in {PackageStore.Shown(folder)}" : "";
        return errno switch
        {
            EACCES => $"permission denied{where} (the folder must be writable by this user)",
            EPERM => $"operation not permitted{where} (is the folder immutable? `lsattr -d` shows an \"i\" flag; `chattr -i` clears it)",
            EROFS => $"the file system{where} is read-only (mount it read-write, or work on a copy where it can be written)",
            ENOSPC => "no space left on the device (free some space; nothing half-written was kept)",
            EDQUOT => "the disk quota is exhausted (free some space; nothing half-written was kept)",
            EFBIG => "the file is larger than the file system allows",
            ENOTDIR => FileOnTheWay(path) is { } f ? $"{PackageStore.Shown(f)} is a file, where a folder is needed; move it away" : "a part of the path is not a folder",
            EEXIST => "it exists and is not a folder; move it away",
            EISDIR => "it is a folder, where a file is needed; move it away",
            EIO => "input/output error (a failing disk or a broken network mount)",
            ENFILE or EMFILE => "too many open files (raise the limit, `ulimit -n`)",
            ENAMETOOLONG => "the path is too long for the file system",
            _ => null,
        };
    }

    private static string? NearestFolder(string path)
    {
        for (var p = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
            if (Directory.Exists(p)) return p;
        return null;
    }

    /// <summary>The nearest existing ancestor of <paramref name="path"/> (or the path itself) when it is a file.</summary>
    private static string? FileOnTheWay(string path)
    {
        for (var p = Path.GetFullPath(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) return p;
            if (Directory.Exists(p)) return null;
        }
        return null;
    }
}
