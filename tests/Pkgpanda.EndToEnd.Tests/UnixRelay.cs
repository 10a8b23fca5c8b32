using System.Net;
using System.Net.Sockets;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// Relays connections to 127.0.0.1:<see cref="Port"/> to a unix socket, byte for byte (TLS stays end to end): how the
/// host reaches a port inside an extra engine's own network namespace, whose relay listens on a socket under /run.
/// </summary>
public sealed class UnixRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public UnixRelay(string socket)
    {
        _socket = socket;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        using (var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await server.ConnectAsync(new UnixDomainSocketEndPoint(_socket), _stop.Token);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(server, ownsSocket: false);
                // A side that ends is passed on as a half-close, so a refused handshake reaches the client at once.
                await Task.WhenAll(Copy(a, b, server), Copy(b, a, client));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    private async Task Copy(Stream from, Stream to, Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _accepting.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
