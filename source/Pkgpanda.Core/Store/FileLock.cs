namespace Pkgpanda.Core.Store;

/// <summary>
/// A lock across processes (one package id, one source cache, the whole cache): two builds of one tree serialise on
/// an exclusive one, and the second finds the first's result. It is an OS file lock (flock), so a killed holder
/// releases it at once. Shared holders (every run, on the cache) exclude only an exclusive one (Clean).
/// </summary>
public sealed class FileLock : IDisposable
{
    /// <summary>EWOULDBLOCK: the flock is held by another process; any other failure is not worth waiting for.</summary>
    private const int LockHeld = 11;

    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Waits for the exclusive lock.</summary>
    public static Task<FileLock> AcquireAsync(string path, CancellationToken cancellationToken) =>
        WaitAsync(() => TryOpen(path, shared: false), cancellationToken);

    /// <summary>Waits for a shared lock: many holders at once, but none while an exclusive one is held.</summary>
    public static Task<FileLock> AcquireSharedAsync(string path, CancellationToken cancellationToken) =>
        WaitAsync(() => TryOpen(path, shared: true), cancellationToken);

    /// <summary>The exclusive lock, or null at once when another holder (shared or exclusive) has it.</summary>
    public static FileLock? TryAcquire(string path) => TryOpen(path, shared: false);

    private static FileLock? TryOpen(string path, bool shared)
    {
        var folder = Path.GetDirectoryName(path)!;
        FileSystemFault.Guard(folder, "create the folder", () => Directory.CreateDirectory(folder));
        try
        {
            // .NET takes flock(LOCK_EX | LOCK_NB) for FileShare.None and flock(LOCK_SH | LOCK_NB) otherwise (for a
            // read-only handle on every file system); either fails at once while a conflicting holder has the file.
            return new FileLock(shared
                ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex) when (ex.HResult == LockHeld)
        {
            return null;
        }
        catch (Exception ex) when (FileSystemFault.Of(ex, path, "create the lock file") is { } fault)
        {
            throw fault;
        }
    }

    private static async Task<FileLock> WaitAsync(Func<FileLock?> attempt, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (attempt() is { } held) return held;
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}
