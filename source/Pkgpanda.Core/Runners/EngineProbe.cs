using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using Pkgpanda.Core.Hashing;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// Asks a local engine for image ids with one plain HTTP request over its Unix socket. A run with nothing to build
/// needs only these answers, and the Docker client costs about 100 ms of start-up (its HTTP stack and JSON models)
/// before its first answer; this costs a few. Anything but a clear answer goes to <paramref name="fallback"/> (the
/// runner), which also words every error, so the probe never decides what a user is told.
/// </summary>
public sealed class EngineProbe(string socketPath, Func<IImageResolver> fallback) : IImageResolver
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>A probe for a <c>unix://</c> endpoint; null for others (they go to the runner directly).</summary>
    public static EngineProbe? For(Uri endpoint, Func<IImageResolver> fallback) =>
        endpoint.Scheme == "unix" && endpoint.AbsolutePath.Length > 1 ? new EngineProbe(endpoint.AbsolutePath, fallback) : null;

    public async Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken) =>
        await AskAsync(image, cancellationToken).ConfigureAwait(false) is { Found: true } answer
            ? answer.Id!
            : await fallback().GetImageIdAsync(image, cancellationToken).ConfigureAwait(false);

    /// <summary>The image's id, or null when the engine says it has no such image; throws when there is no clear answer.</summary>
    public async Task<string?> TryGetImageIdAsync(string image, CancellationToken cancellationToken) =>
        await AskAsync(image, cancellationToken).ConfigureAwait(false) is { } answer
            ? answer.Id
            : throw new IOException($"The engine at {socketPath} gave no clear answer about {image}.");

    private readonly record struct Answer(bool Found, string? Id);

    /// <summary>null: no engine, or an answer that is neither the image nor "no such image".</summary>
    private async Task<Answer?> AskAsync(string image, CancellationToken cancellationToken)
    {
        if (image.Length == 0 || image.Any(c => c <= ' ' || c is '?' or '#' or '%' or '\\' or '"')) return null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token).ConfigureAwait(false);
            // HTTP/1.0: the engine answers with a plain body and closes the connection, so reading to the end suffices.
            var request = Encoding.ASCII.GetBytes($"GET /images/{image}/json HTTP/1.0\r\nHost: docker\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var response = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false)) > 0)
            {
                response.Write(buffer, 0, read);
                if (response.Length > 16 << 20) return null;
            }
            return Parse(response.GetBuffer().AsSpan(0, (int)response.Length));
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static Answer? Parse(ReadOnlySpan<byte> response)
    {
        var end = response.IndexOf("\r\n\r\n"u8);
        if (end < 0) return null;
        var head = Encoding.ASCII.GetString(response[..end]);
        var status = head.Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/", StringComparison.Ordinal)) return null;
        if (head.Contains("\r\nTransfer-Encoding:", StringComparison.OrdinalIgnoreCase)) return null;
        if (status[1] == "404") return new Answer(false, null);
        if (status[1] != "200") return null;
        try
        {
            using var json = JsonDocument.Parse(response[(end + 4)..].ToArray());
            return json.RootElement.TryGetProperty("Id", out var id) && id.GetString() is { Length: > 7 } value && value.StartsWith("sha256:", StringComparison.Ordinal)
                ? new Answer(true, value)
                : null;
        }
        catch (JsonException) { return null; }
    }
}
