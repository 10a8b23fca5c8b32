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

    public Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken) =>
        Ask(image, cancellationToken) is { Found: true } answer
            ? Task.FromResult(answer.Id!)
            : fallback().GetImageIdAsync(image, cancellationToken);

    /// <summary>The image's id, or null when the engine says it has no such image; throws when there is no clear answer.</summary>
    public Task<string?> TryGetImageIdAsync(string image, CancellationToken cancellationToken) =>
        Ask(image, cancellationToken) is { } answer
            ? Task.FromResult(answer.Id)
            : Task.FromException<string?>(new IOException($"The engine at {socketPath} gave no clear answer about {image}."));

    private readonly record struct Answer(bool Found, string? Id);

    /// <summary>
    /// The engine's CPU count (<c>docker info</c> NCPU), or null without a clear answer. The client's own call reads
    /// the whole info into its model, ~85 ms of a build's start (its JSON model is the biggest of the API's).
    /// </summary>
    public int? TryGetCpus(CancellationToken cancellationToken)
    {
        if (Get("/info", cancellationToken) is not ({ } head, var body) || Status(head) != "200") return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("NCPU", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var cpus) && cpus > 0 ? cpus : null;
        }
        catch (JsonException) { return null; }
    }

    private Answer? Ask(string image, CancellationToken cancellationToken)
    {
        if (image.Length == 0 || image.Any(c => c <= ' ' || c is '?' or '#' or '%' or '\\' or '"')) return null;
        if (Get($"/images/{image}/json", cancellationToken) is not ({ } head, var body)) return null;
        var status = Status(head);
        if (status == "404") return new Answer(false, null);
        if (status != "200") return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("Id", out var id) && id.GetString() is { Length: > 7 } value && value.StartsWith("sha256:", StringComparison.Ordinal)
                ? new Answer(true, value)
                : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// The answer's head and body; null: no engine, or not a plain HTTP answer. Blocking calls on purpose: a local
    /// socket answers in a few milliseconds, and asynchronous ones cost a no-op run more in start-up (the socket
    /// engine's thread, the compiled state machines) than the request takes. A timeout bounds each call; cancelling
    /// closes the socket.
    /// </summary>
    private (string? Head, byte[] Body) Get(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.SendTimeout = socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        using var cancel = cancellationToken.Register(socket.Dispose);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            // HTTP/1.0: the engine answers with a plain body and closes the connection, so reading to the end suffices.
            socket.Send(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n"));
            var response = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = socket.Receive(buffer)) > 0)
            {
                response.Write(buffer, 0, read);
                if (response.Length > 16 << 20) return (null, []);
            }
            var all = response.GetBuffer().AsSpan(0, (int)response.Length);
            var end = all.IndexOf("\r\n\r\n"u8);
            if (end < 0) return (null, []);
            var head = Encoding.ASCII.GetString(all[..end]);
            // A chunked body would need decoding: not a plain answer.
            if (head.Contains("\r\nTransfer-Encoding:", StringComparison.OrdinalIgnoreCase)) return (null, []);
            return (head, all[(end + 4)..].ToArray());
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return (null, []);
        }
    }

    /// <summary>The status code of an HTTP answer's head; null when it is not one.</summary>
    private static string? Status(string head)
    {
        var status = head.Split(' ', 3);
        return status.Length >= 2 && status[0].StartsWith("HTTP/", StringComparison.Ordinal) ? status[1] : null;
    }
}
