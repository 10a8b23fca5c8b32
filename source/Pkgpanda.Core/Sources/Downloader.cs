namespace Pkgpanda.Core.Sources;

/// <summary>
/// Downloads one url (http, https or file) to a temporary file beside the destination, hashing while it writes.
/// Connection errors, truncated bodies and 5xx answers are retried with a doubling delay; other failures are
/// final. The caller decides, from the sums, whether the temporary file becomes the cache file.
/// </summary>
internal sealed class Downloader(HttpClient http, FetchOptions options)
{
    /// <summary>Thrown for an attempt that may succeed when repeated.</summary>
    private sealed class TransientException(string message, Exception? inner = null) : Exception(message, inner);

    /// <summary>Whether <paramref name="url"/> is one this downloader takes: http://, https:// or file:// (the tree's loader asks too).</summary>
    public static bool CanDownload(string url) =>
        url.StartsWith("file://", StringComparison.Ordinal) || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");

    /// <summary>Downloads <paramref name="url"/> into <paramref name="temp"/> and returns its sums.</summary>
    public async Task<Checksums> DownloadAsync(string url, string baseDir, string temp, string label,
        Func<string, BuildError> error, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        if (url.StartsWith("file://", StringComparison.Ordinal))
            return await CopyLocalAsync(url, baseDir, temp, label, error, progress, cancellationToken).ConfigureAwait(false);
        if (!CanDownload(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw error("not a url this builder can download (http://, https:// or file://).");

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(uri, temp, label, error, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientException ex) when (attempt < options.MaxAttempts)
            {
                var delay = options.RetryDelay * Math.Pow(2, attempt - 1);
                progress?.Report(new FetchRetrying(label, url, attempt, delay, ex.Message));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientException ex)
            {
                throw error($"download failed after {attempt} attempts: {ex.Message}");
            }
        }
    }

    private async Task<Checksums> AttemptAsync(Uri uri, string temp, string label, Func<string, BuildError> error,
        IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        using var idle = new IdleWatch(cancellationToken, options.IdleTimeout);
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
            idle.Touch();
            var status = (int)response.StatusCode;
            if (status >= 500)
                throw new TransientException($"the server answered {status} {response.ReasonPhrase}");
            // Redirects are followed (up to 50); one still answered is a loop, or a chain too long to be meant.
            if (status is >= 300 and < 400)
                throw error($"the server still redirects after 50 redirects (to {response.Headers.Location?.ToString() ?? "no location"}): a redirect loop, most likely; fix the url or the server.");
            if (!response.IsSuccessStatusCode)
                throw error($"the server answered {status} {response.ReasonPhrase}.");
            var total = response.Content.Headers.ContentLength;
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
            var (sums, length) = await WriteAsync(body, temp, uri.ToString(), total, label, progress, cancellationToken, idle).ConfigureAwait(false);
            if (total is { } expected && length != expected)
                throw new TransientException($"the connection ended after {length} of {expected} bytes");
            return sums;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null || (int)ex.StatusCode >= 500)
        {
            throw new TransientException(ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new TransientException($"the connection broke: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientException(idle.Fired ? idle.Describe() : "the server did not answer in time", ex);
        }
    }

    private async Task<Checksums> CopyLocalAsync(string url, string baseDir, string temp, string label,
        Func<string, BuildError> error, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        // pkgpanda's form: file:///abs/path, or file://rel/path relative to the package folder.
        var path = url["file://".Length..];
        if (!Path.IsPathRooted(path)) path = Path.Combine(baseDir, path);
        // Opening a FIFO blocks until someone writes to it, and a device never ends: refuse them unopened.
        if (Store.FileType.Of(path, followLinks: true) is var kind && Store.FileType.IsSpecial(kind))
            throw error($"{path} is {Store.FileType.Describe(kind)}, not a regular file; it is not read.");
        FileStream input;
        try { input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw error($"cannot read {path}: {ex.Message}");
        }
        await using (input)
            return (await WriteAsync(input, temp, url, input.Length, label, progress, cancellationToken).ConfigureAwait(false)).Sums;
    }

    private async Task<(Checksums Sums, long Length)> WriteAsync(Stream body, string temp, string url, long? total, string label,
        IProgress<FetchEvent>? progress, CancellationToken cancellationToken, IdleWatch? idle = null)
    {
        using var hasher = new Checksums.Hasher();
        long length = 0, reported = 0;
        // Writing is guarded apart from reading: a full disk is a fault to report, never a broken connection to retry.
        var folder = Path.GetDirectoryName(temp)!;
        const string Writing = "write the download";
        // No write buffer: a failed write must not be tried (and thrown) again by Dispose.
        var output = Store.FileSystemFault.Guard(folder, Writing, () => new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true));
        await using (output)
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await body.ReadAsync(buffer, idle?.Token ?? cancellationToken).ConfigureAwait(false)) > 0)
            {
                idle?.Touch();
                var chunk = buffer.AsMemory(0, n);
                await Store.FileSystemFault.GuardAsync(folder, Writing, () => output.WriteAsync(chunk, cancellationToken).AsTask()).ConfigureAwait(false);
                hasher.Append(buffer.AsSpan(0, n));
                length += n;
                if (length - reported >= options.ProgressStep)
                {
                    reported = length;
                    progress?.Report(new DownloadProgress(label, url, length, total));
                }
            }
            Store.FileSystemFault.Guard(folder, Writing, () => output.Flush(flushToDisk: true));
        }
        progress?.Report(new DownloadProgress(label, url, length, total));
        return (hasher.Finish(), length);
    }
}
