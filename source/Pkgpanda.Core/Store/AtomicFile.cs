namespace Pkgpanda.Core.Store;

/// <summary>
/// Files that appear whole or not at all: written under a <see cref="Temporary"/> name in the destination's folder (so
/// the rename cannot cross file systems), synced, then renamed. A killed run leaves only a stray temporary file, which
/// never collides with the next run's and is swept by it. A fault of the file system (permission, read-only, full) is
/// an <see cref="EnvironmentFault"/> naming the destination, and leaves nothing behind.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string destination, string text) =>
        WriteAsync(destination, file => file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text)).AsTask(), CancellationToken.None).GetAwaiter().GetResult();

    public static Task WriteTextAsync(string destination, string text, CancellationToken cancellationToken) =>
        WriteAsync(destination, file => file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken).AsTask(), cancellationToken);

    public static Task WriteAsync(string destination, Func<FileStream, Task> write, CancellationToken cancellationToken) =>
        FileSystemFault.GuardAsync(destination, "write this file", async () =>
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
            Directory.CreateDirectory(folder);
            var temporary = Temporary.Beside(destination);
            try
            {
                await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    await write(file).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, destination, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        });

    private static void TryDelete(string path)
    {
        // The original failure is what the user must see; a temporary that cannot be removed is swept by a later run.
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }
}
