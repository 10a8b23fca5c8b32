namespace Pkgpanda.Core.Store;

/// <summary>
/// Files that appear whole or not at all: written under a unique temporary name in the destination's folder (so the
/// rename cannot cross file systems), synced, then renamed. A killed run leaves only a stray temporary file, which
/// never collides with the next run's.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string destination, string text) =>
        WriteAsync(destination, file => file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text)).AsTask(), CancellationToken.None).GetAwaiter().GetResult();

    public static Task WriteTextAsync(string destination, string text, CancellationToken cancellationToken) =>
        WriteAsync(destination, file => file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken).AsTask(), cancellationToken);

    public static async Task WriteAsync(string destination, Func<FileStream, Task> write, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
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
            File.Delete(temporary);
            throw;
        }
    }
}
