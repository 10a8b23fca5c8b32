using Pkgpanda.Core.Sources;
using System.Net;
using System.Net.Http.Headers;

namespace Pkgpanda.Core.Repositories;

/// <summary>
/// A repository served over HTTP(S): GET and HEAD to read, PUT to publish (WebDAV as nginx's <c>dav_methods PUT</c>
/// serves it). The token travels as a bearer token and is scrubbed from every message. Server errors, timeouts and
/// broken connections are retried with growing pauses; after that the repository counts as not answering.
/// </summary>
internal sealed class HttpRepository : IRepository
{
    private const int BufferSize = 1 << 16;
    private readonly Uri _base;
    private readonly string? _token;
    private readonly RepositoryOptions _options;
    private readonly HttpClient _client;

    public HttpRepository(Uri url, string? token, RepositoryOptions? options = null)
    {
        if (url.Scheme is not ("http" or "https")) throw new ArgumentException($"Not an http(s) url: {Shown(url)}", nameof(url));
        if (url.UserInfo.Length > 0)
            throw new BuildError($"The repository url {Shown(url)} carries credentials; pass a token instead (PackageRepository.Open(token)).");
        _base = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        _token = string.IsNullOrEmpty(token) ? null : token;
        _options = options ?? new RepositoryOptions();
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            // A redirect could carry the token to another host; a repository has no reason to redirect.
            AllowAutoRedirect = false,
        })
        {
            Timeout = _options.RequestTimeout,
        };
    }

    public string Url => Scrub(Shown(_base));

    public Uri UriOf(string relativePath) =>
        new(_base, string.Join('/', RepositoryLayout.Check(relativePath).Split('/').Select(Uri.EscapeDataString)));

    public Task<bool> TryDownloadAsync(string relativePath, string destinationFile, IProgress<long>? bytes, CancellationToken cancellationToken) =>
        RetryAsync("downloading", relativePath, async idle =>
        {
            var token = idle.Token;
            using var response = await SendAsync(HttpMethod.Get, relativePath, null, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            idle.Touch();
            if (response.StatusCode == HttpStatusCode.NotFound) return false;
            Check(response, "downloading", relativePath);
            await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using var output = new FileStream(destinationFile, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            var buffer = new byte[BufferSize];
            long done = 0;
            while (true)
            {
                int n;
                // Only reading the body is the network; a failing local write is not worth a retry.
                try { n = await body.ReadAsync(buffer, token).ConfigureAwait(false); }
                catch (IOException e) { throw new TransientFailure($"the connection broke after {done} bytes ({e.Message})"); }
                if (n == 0) break;
                idle.Touch();
                await output.WriteAsync(buffer.AsMemory(0, n), token).ConfigureAwait(false);
                done += n;
                bytes?.Report(done);
            }
            if (response.Content.Headers.ContentLength is { } length && length != done)
                throw new TransientFailure($"received {done} of {length} bytes");
            return true;
        }, cancellationToken);

    public Task<string?> TryReadTextAsync(string relativePath, CancellationToken cancellationToken) =>
        RetryAsync("reading", relativePath, async idle =>
        {
            var token = idle.Token;
            using var response = await SendAsync(HttpMethod.Get, relativePath, null, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            Check(response, "reading", relativePath);
            return await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
        }, cancellationToken);

    public Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken) =>
        RetryAsync("looking up", relativePath, async idle =>
        {
            var token = idle.Token;
            using var response = await SendAsync(HttpMethod.Head, relativePath, null, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound) return false;
            Check(response, "looking up", relativePath);
            return true;
        }, cancellationToken);

    public Task UploadAsync(string relativePath, string file, IProgress<long>? bytes, CancellationToken cancellationToken) =>
        RetryAsync("uploading", relativePath, async idle =>
        {
            // An upload's progress is its sending; the request timeout bounds it.
            idle.Off();
            var token = idle.Token;
            // Reopened on every attempt: a retry sends the whole file again.
            await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
            using var content = new StreamContent(new ProgressStream(input, bytes), BufferSize);
            content.Headers.ContentLength = input.Length;
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await SendAsync(HttpMethod.Put, relativePath, content, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
            Check(response, "uploading", relativePath);
            return true;
        }, cancellationToken);

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string relativePath, HttpContent? content, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, UriOf(relativePath)) { Content = content };
        if (_token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        // Lets the server refuse (wrong token, too large) before a large body is sent.
        if (content is not null) request.Headers.ExpectContinue = true;
        return await _client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
    }

    private void Check(HttpResponseMessage response, string doing, string relativePath)
    {
        var code = (int)response.StatusCode;
        if (response.IsSuccessStatusCode) return;
        var status = $"{code} {response.ReasonPhrase}";
        // 501: the server does not do that method at all (a plain file server asked to PUT); asking again cannot help.
        if (code >= 500 && code != 501 || code is 408 or 429) throw new TransientFailure($"the server answered {status}");
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => _token is null
                ? " It needs a token (PackageRepository.Open(token))."
                : " The token was not accepted: check PackageRepository.Open(token).",
            HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented or HttpStatusCode.Conflict when doing == "uploading" =>
                " The server must accept PUT and create folders (nginx: dav_methods PUT; create_full_put_path on;).",
            HttpStatusCode.RequestEntityTooLarge => " The server limits the upload size (nginx: client_max_body_size 0;).",
            _ => "",
        };
        throw new BuildError(Scrub($"The repository {Url} refused {doing} {relativePath}: {status}.{hint}"));
    }

    private async Task<T> RetryAsync<T>(string doing, string relativePath, Func<IdleWatch, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var attempts = Math.Max(1, _options.Attempts);
        for (var n = 1; ; n++)
        {
            string problem;
            using var idle = new IdleWatch(cancellationToken, _options.IdleTimeout);
            try
            {
                return await attempt(idle).ConfigureAwait(false);
            }
            catch (TransientFailure e) { problem = e.Message; }
            catch (HttpRequestException e) { problem = Describe(e); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { problem = idle.Fired ? idle.Describe() : "timed out"; }
            problem = Scrub(problem);
            if (n >= attempts)
                throw new RepositoryUnavailableException($"The repository {Url} did not answer {doing} {relativePath}: {problem} (tried {n} times).");
            _options.Events?.Report(new RepositoryWarning(relativePath, $"{doing} {relativePath} failed ({problem}); retrying ({n}/{attempts - 1})."));
            await Task.Delay(_options.RetryDelay * Math.Pow(2, n - 1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!parts.Contains(x.Message)) parts.Add(x.Message);
        return string.Join(": ", parts);
    }

    private string Scrub(string text) => Secret.Scrub(text, _token);

    private static string Shown(Uri url) => new UriBuilder(url) { UserName = "", Password = "" }.Uri.AbsoluteUri;

    /// <summary>A failure worth another attempt; its message is shown if the attempts run out.</summary>
    private sealed class TransientFailure(string message) : Exception(message);
}
