using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A raw HTTP server on 127.0.0.1 whose answers misbehave on purpose: each request takes the next of the scripted
/// replies (the last repeats). <see cref="Reply.Full"/> sends the body, <see cref="Reply.Cut"/> announces it and breaks the
/// connection half-way, <see cref="Reply.Trickle"/> sends a little and then stalls, <see cref="Reply.Silent"/> accepts and
/// never answers (a hung server).
/// </summary>
public sealed class TrickleServer : IDisposable
{
    public enum Reply { Full, Cut, Trickle, Silent }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _body;
    private readonly Reply[] _replies;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private int _requests;

    public TrickleServer(byte[] body, params Reply[] replies)
    {
        _body = body;
        _replies = replies;
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}";

    /// <summary>Connections accepted so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            lock (_clients) _clients.Add(client);
            var n = Interlocked.Increment(ref _requests);
            _ = Task.Run(() => ServeAsync(client, _replies[Math.Min(n, _replies.Length) - 1]));
        }
    }

    private async Task ServeAsync(TcpClient client, Reply reply)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n"))
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0) return;
                request.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            if (reply == Reply.Silent) { await Task.Delay(Timeout.Infinite, _stop.Token); return; }
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
            switch (reply)
            {
                case Reply.Full:
                    await stream.WriteAsync(_body, _stop.Token);
                    break;
                case Reply.Cut:
                    await stream.WriteAsync(_body.AsMemory(0, _body.Length / 2), _stop.Token);
                    client.Client.LingerState = new LingerOption(true, 0); // a reset, as a dropped connection looks
                    break;
                case Reply.Trickle:
                    await stream.WriteAsync(_body.AsMemory(0, Math.Min(_body.Length, 70_000)), _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
            }
        }
        catch (Exception) { }
        finally { client.Dispose(); }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients) foreach (var c in _clients) c.Dispose();
    }
}
