namespace Pkgpanda.Core.Repositories;

/// <summary>
/// A repository in a folder: a plain path or a <c>file://</c> url, typically a shared mount. Objects appear by
/// renaming a temporary file in the object's own folder, so readers never see half an object.
/// </summary>
internal sealed class FolderRepository(string root, string? url = null) : IRepository
{
    private const int BufferSize = 1 << 16;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>As the user wrote it (a <c>file://</c> url stays one), so messages match the parameter.</summary>
    public string Url { get; } = url ?? Path.GetFullPath(root);

    public string PathOf(string relativePath) => Path.Combine(Root, RepositoryLayout.Check(relativePath));

    public async Task<bool> TryDownloadAsync(string relativePath, string destinationFile, IProgress<long>? bytes, CancellationToken cancellationToken)
    {
        var source = PathOf(relativePath);
        FileStream input;
        try
        {
            input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            EnsureRoot();
            return false;
        }
        await using (input)
        await using (var output = new FileStream(destinationFile, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
        {
            await CopyAsync(input, output, bytes, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    public async Task<string?> TryReadTextAsync(string relativePath, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(PathOf(relativePath), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            EnsureRoot();
            return null;
        }
    }

    public Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken)
    {
        if (File.Exists(PathOf(relativePath))) return Task.FromResult(true);
        EnsureRoot();
        return Task.FromResult(false);
    }

    public async Task UploadAsync(string relativePath, string file, IProgress<long>? bytes, CancellationToken cancellationToken)
    {
        var target = PathOf(relativePath);
        var folder = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            await using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await CopyAsync(input, output, bytes, cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            Delete(temporary);
            throw new BuildError($"Cannot write {relativePath} into the repository folder {Root}: {e.Message}", e);
        }
        catch
        {
            Delete(temporary);
            throw;
        }
    }

    public void Dispose() { }

    /// <summary>A missing object is normal; a missing repository folder (an unmounted share) means it does not answer.</summary>
    private void EnsureRoot()
    {
        if (!Directory.Exists(Root)) throw new RepositoryUnavailableException($"The repository folder {Root} does not exist.");
    }

    private static async Task CopyAsync(Stream input, Stream output, IProgress<long>? bytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long done = 0;
        int n;
        while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            done += n;
            bytes?.Report(done);
        }
    }

    private static void Delete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
