namespace Pkgpanda.Core.Building;

/// <summary>
/// An exclusive lock per package id across processes: two builds of one tree serialise on each package, and
/// the second finds the first's result. It is an OS file lock, so a killed holder releases it at once.
/// </summary>
public sealed class PackageLock : IDisposable
{
    private readonly FileStream _stream;

    private PackageLock(FileStream stream) => _stream = stream;

    public static async Task<PackageLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        while (true)
        {
            try
            {
                // FileShare.None takes an advisory flock on Unix; it fails at once while another process holds it.
                return new PackageLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
