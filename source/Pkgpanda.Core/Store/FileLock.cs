namespace Pkgpanda.Core.Store;

/// <summary>
/// An exclusive lock across processes (one package id, one source cache): two builds of one tree serialise on
/// it, and the second finds the first's result. It is an OS file lock, so a killed holder releases it at once.
/// </summary>
internal sealed class FileLock : IDisposable
{
    /// <summary>EWOULDBLOCK: the flock is held by another process; any other failure is not worth waiting for.</summary>
    private const int LockHeld = 11;

    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static async Task<FileLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        FileSystemFault.Guard(folder, "create the folder", () => Directory.CreateDirectory(folder));
        while (true)
        {
            try
            {
                // FileShare.None takes an advisory flock on Unix; it fails at once while another process holds it.
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException ex) when (ex.HResult == LockHeld)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (FileSystemFault.Of(ex, path, "create the lock file") is { } fault)
            {
                throw fault;
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
