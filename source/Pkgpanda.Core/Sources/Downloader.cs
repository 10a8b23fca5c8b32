using System.Net.Http.Headers;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// Downloads one url (http, https or file) to a temporary file beside the destination, hashing while it writes.
/// Connection errors, truncated bodies, stalls and 5xx answers are retried with a doubling delay, going on from the
/// break where the server allows it (<see cref="PartialDownload"/>); other failures are final. The caller decides, from the sums, whether the temporary file becomes the cache file.
/// </summary>
internal sealed class Downloader(HttpClient http, FetchOptions options)
{
    /// <summary>Thrown for an attempt that may succeed when repeated.</summary>
    private sealed class TransientException(string message, Exception? inner = null) : Exception(message, inner)
    {
        /// <summary>Nothing arrived for the idle limit (rather than an error answer or a broken connection).</summary>
        public bool Stalled { get; init; }
    }

    /// <summary>Whether <paramref name="url"/> is one this downloader takes: http://, https:// or file:// (the tree's loader asks too).</summary>
    public static bool CanDownload(string url) =>
        url.StartsWith("file://", StringComparison.Ordinal) || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");

    /// <summary>
    /// Downloads <paramref name="url"/> into <paramref name="temp"/> and returns its sums. An attempt that gets further
    /// than any before it (a resumed one, or a restarted one that passes the earlier break) does not use up one of
    /// <see cref="FetchOptions.MaxAttempts"/>; a server that stalls twice without getting further is not tried again.
    /// </summary>
    public async Task<Checksums> DownloadAsync(string url, string baseDir, string temp, string label,
        Func<string, BuildError> error, IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        if (url.StartsWith("file://", StringComparison.Ordinal))
            return await CopyLocalAsync(url, baseDir, temp, label, error, progress, cancellationToken).ConfigureAwait(false);
        if (!CanDownload(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw error("not a url this builder can download (http://, https:// or file://).");

        using var partial = new PartialDownload(temp);
        int failures = 0, stalls = 0;
        for (var attempt = 1; ; attempt++)
        {
            var furthest = partial.Furthest;
            try
            {
                return await AttemptAsync(uri, partial, label, error, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientException ex)
            {
                var gotFurther = partial.Furthest > furthest;
                failures = gotFurther ? 1 : failures + 1;
                if (ex.Stalled && !gotFurther) stalls++;
                // Getting further each time still ends: the attempts are capped, a trickle of progress does not hold a run for ever.
                if (failures >= options.MaxAttempts || stalls >= 2 || attempt >= 4 * options.MaxAttempts)
                    throw error($"download failed after {attempt} attempts: {ex.Message}" +
                                (stalls >= 2 ? " (it stalled twice without getting further, so it is not tried again)" : ""));
                var delay = options.RetryDelay * Math.Pow(2, failures - 1);
                progress?.Report(new FetchRetrying(label, url, attempt, delay,
                    partial.CanResume ? $"{ex.Message}; going on from byte {partial.Length}" : ex.Message));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<Checksums> AttemptAsync(Uri uri, PartialDownload partial, string label, Func<string, BuildError> error,
        IProgress<FetchEvent>? progress, CancellationToken cancellationToken)
    {
        using var idle = new IdleWatch(cancellationToken, options.IdleTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            var resuming = partial.CanResume;
            if (resuming)
            {
                request.Headers.Range = new RangeHeaderValue(partial.Length, null);
                request.Headers.IfRange = partial.Validator;
            }
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
            idle.Touch();
            var status = (int)response.StatusCode;
            if (status >= 500)
                throw new TransientException($"the server answered {status} {response.ReasonPhrase}");
            // Redirects are followed (up to 50); one still answered is a loop, or a chain too long to be meant.
            if (status is >= 300 and < 400)
                throw error($"the server still redirects after 50 redirects (to {response.Headers.Location?.ToString() ?? "no location"}): a redirect loop, most likely; fix the url or the server.");
            var have = partial.Length;
            if (resuming && status == 416)
            {
                partial.Restart();
                throw new TransientException($"the server would not go on from byte {have} (416 {response.ReasonPhrase})");
            }
            if (!response.IsSuccessStatusCode)
                throw error($"the server answered {status} {response.ReasonPhrase}.");
            long? total;
            if (resuming && status == 206)
            {
                // The rest of the same version: it must start exactly where the file ends.
                if (response.Content.Headers.ContentRange is not { HasRange: true, From: { } from } range || from != have)
                {
                    var at = response.Content.Headers.ContentRange?.ToString() ?? "no Content-Range";
                    partial.Restart();
                    throw new TransientException($"the server went on from the wrong place ({at} for bytes from {have})");
                }
                total = range.Length;
            }
            else
            {
                if (status == 206)
                    throw error($"the server answered 206 {response.ReasonPhrase} to a request for the whole file.");
                // The whole file (first attempt, no range support, or a new version of it): from the start.
                partial.Restart();
                partial.Remember(response);
                total = response.Content.Headers.ContentLength;
            }
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
            await WriteAsync(body, partial, uri.ToString(), total, label, progress, cancellationToken, idle).ConfigureAwait(false);
            if (total is { } expected && partial.Length != expected)
                throw new TransientException($"the connection ended after {partial.Length} of {expected} bytes");
            return partial.Finish();
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
            throw new TransientException(idle.Fired ? idle.Describe() : "the server did not answer in time", ex) { Stalled = idle.Fired };
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
        {
            using var partial = new PartialDownload(temp);
            await WriteAsync(input, partial, url, input.Length, label, progress, cancellationToken).ConfigureAwait(false);
            return partial.Finish();
        }
    }

    /// <summary>Appends <paramref name="body"/> to the partial download's file (a new file when it holds nothing yet).</summary>
    private async Task WriteAsync(Stream body, PartialDownload partial, string url, long? total, string label,
        IProgress<FetchEvent>? progress, CancellationToken cancellationToken, IdleWatch? idle = null)
    {
        long reported = 0;
        // Writing is guarded apart from reading: a full disk is a fault to report, never a broken connection to retry.
        var temp = partial.Path;
        var folder = Path.GetDirectoryName(temp)!;
        const string Writing = "write the download";
        var mode = partial.Length > 0 ? FileMode.Append : FileMode.Create;
        // No write buffer: a failed write must not be tried (and thrown) again by Dispose, and what is hashed is what is on disk.
        var output = Store.FileSystemFault.Guard(folder, Writing, () => new FileStream(temp, mode, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true));
        await using (output)
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await body.ReadAsync(buffer, idle?.Token ?? cancellationToken).ConfigureAwait(false)) > 0)
            {
                idle?.Touch();
                var chunk = buffer.AsMemory(0, n);
                await Store.FileSystemFault.GuardAsync(folder, Writing, () => output.WriteAsync(chunk, cancellationToken).AsTask()).ConfigureAwait(false);
                partial.Append(buffer.AsSpan(0, n));
                if (partial.Length - reported >= options.ProgressStep)
                {
                    reported = partial.Length;
                    progress?.Report(new DownloadProgress(label, url, partial.Length, total));
                }
            }
            Store.FileSystemFault.Guard(folder, Writing, () => output.Flush(flushToDisk: true));
        }
        progress?.Report(new DownloadProgress(label, url, partial.Length, total));
    }
}
