using System.Net.Http.Headers;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// What one download holds across its attempts: the bytes written so far to its temporary file, their running sums,
/// and whether the server lets it go on from there (an answer with <c>Accept-Ranges: bytes</c> and a validator, a strong
/// ETag or a Last-Modified date). A connection that breaks after 900 MB of a 1 GB tarball then asks for the rest
/// (<c>Range</c>, guarded by <c>If-Range</c>); an answer that starts over (200: no range support, or the file changed)
/// starts the file and the sums over. The sums of the whole file are checked at the end, as for any download.
/// </summary>
internal sealed class PartialDownload(string path) : IDisposable
{
    private Checksums.Hasher _hasher = new();

    /// <summary>The temporary file the bytes go to.</summary>
    public string Path => path;

    /// <summary>Bytes written (and hashed) so far.</summary>
    public long Length { get; private set; }

    /// <summary>The most bytes any attempt reached: an attempt that gets no further than this made no progress.</summary>
    public long Furthest { get; private set; }

    /// <summary>The condition a resumed request carries (the first answer's ETag or date); null: the server cannot resume.</summary>
    public RangeConditionHeaderValue? Validator { get; private set; }

    /// <summary>The next attempt asks for the bytes from <see cref="Length"/> on.</summary>
    public bool CanResume => Length > 0 && Validator is not null && FileLength() == Length;

    public void Append(ReadOnlySpan<byte> data)
    {
        _hasher.Append(data);
        Length += data.Length;
        Furthest = Math.Max(Furthest, Length);
    }

    /// <summary>The file and the sums start over (the answer is the whole file again).</summary>
    public void Restart()
    {
        _hasher.Dispose();
        _hasher = new Checksums.Hasher();
        Length = 0;
    }

    /// <summary>Keeps what a whole-file answer says about resuming: only a server that offers byte ranges and names the version it sent.</summary>
    public void Remember(HttpResponseMessage response)
    {
        Validator = null;
        if (!response.Headers.AcceptRanges.Contains("bytes")) return;
        if (response.Headers.ETag is { IsWeak: false } etag) Validator = new RangeConditionHeaderValue(etag);
        else if (response.Content.Headers.LastModified is { } date) Validator = new RangeConditionHeaderValue(date);
    }

    public Checksums Finish() => _hasher.Finish();

    public void Dispose() => _hasher.Dispose();

    private long FileLength()
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return -1; }
    }
}
