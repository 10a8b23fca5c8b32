using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pkgpanda.Core.Tests.Sources;

/// <summary>
/// A real HTTP server on 127.0.0.1 for download tests. Each path has a script of replies; every request takes the
/// next one and the last repeats.
/// </summary>
public sealed class TestHttpServer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    public abstract record Reply;
    public sealed record Body(byte[] Bytes) : Reply;
    public sealed record Status(int Code) : Reply;
    /// <summary>Announces the full length, sends half, then breaks the connection.</summary>
    public sealed record DropHalfway(byte[] Bytes) : Reply;
    /// <summary>Headers and the first bytes of the body, then nothing (until the server is disposed): a hung server.</summary>
    public sealed record Stall(byte[] Bytes) : Reply;
    /// <summary>
    /// A server with byte ranges (Accept-Ranges, an ETag, Range honoured when If-Range names that ETag) that breaks every
    /// connection after <paramref name="Chunk"/> bytes of the body.
    /// </summary>
    public sealed record Ranged(byte[] Bytes, int Chunk, string ETag = "\"v1\"") : Reply;
    /// <summary>A redirect to the same path: a loop.</summary>
    public sealed record RedirectToSelf : Reply;

    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, Reply[]> _scripts = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly Task _loop;

    public TestHttpServer()
    {
        // A free port is probed, then bound: another process may take it in between (the machine is shared), so try again.
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUrl = $"http://127.0.0.1:{port}";
            _listener = new HttpListener();
            _listener.Prefixes.Add(BaseUrl + "/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5) { _listener.Close(); }
        }
        _loop = Task.Run(LoopAsync);
    }

    public string BaseUrl { get; }

    public string Url(string path) => $"{BaseUrl}/{path}";

    public void Script(string path, params Reply[] replies) => _scripts[path] = replies;

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    /// <summary>The Range header of each request, in order ("" for none).</summary>
    public ConcurrentQueue<string> RangesAsked { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath.TrimStart('/');
        var n = _hits.AddOrUpdate(path, 1, (_, v) => v + 1);
        RangesAsked.Enqueue(context.Request.Headers["Range"] ?? "");
        var response = context.Response;
        try
        {
            if (!_scripts.TryGetValue(path, out var script))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            switch (script[Math.Min(n, script.Length) - 1])
            {
                case Body b:
                    response.ContentLength64 = b.Bytes.Length;
                    response.OutputStream.Write(b.Bytes);
                    response.Close();
                    break;
                case Status s:
                    response.StatusCode = s.Code;
                    response.ContentLength64 = 0;
                    response.Close();
                    break;
                case Ranged r:
                {
                    long from = 0;
                    var range = context.Request.Headers["Range"];
                    if (range is not null && context.Request.Headers["If-Range"] == r.ETag)
                        from = long.Parse(range["bytes=".Length..].TrimEnd('-'));
                    response.AddHeader("Accept-Ranges", "bytes");
                    response.AddHeader("ETag", r.ETag);
                    if (from > 0)
                    {
                        response.StatusCode = 206;
                        response.AddHeader("Content-Range", $"bytes {from}-{r.Bytes.Length - 1}/{r.Bytes.Length}");
                    }
                    response.ContentLength64 = r.Bytes.Length - from;
                    var count = (int)Math.Min(r.Chunk, r.Bytes.Length - from);
                    response.OutputStream.Write(r.Bytes, (int)from, count);
                    response.OutputStream.Flush();
                    if (from + count < r.Bytes.Length) response.Abort();
                    else response.Close();
                    break;
                }
                case RedirectToSelf:
                    response.StatusCode = 302;
                    response.RedirectLocation = context.Request.Url!.AbsoluteUri;
                    response.ContentLength64 = 0;
                    response.Close();
                    break;
                case Stall st:
                    response.ContentLength64 = st.Bytes.Length;
                    response.OutputStream.Write(st.Bytes, 0, 10);
                    response.OutputStream.Flush();
                    _stop.Token.WaitHandle.WaitOne();
                    response.Abort();
                    break;
                case DropHalfway d:
                    response.ContentLength64 = d.Bytes.Length;
                    response.OutputStream.Write(d.Bytes, 0, d.Bytes.Length / 2);
                    response.OutputStream.Flush();
                    response.Abort();
                    break;
            }
        }
        catch (Exception)
        {
            response.Abort();
        }
    }

    public void Dispose()
    {
        // Closing looks the port's endpoint up again, and binds it anew when it is gone: that throws when another process
        // took the freed port meanwhile (the machine is shared). The server is down either way.
        _stop.Cancel();
        try { _listener.Close(); }
        catch (HttpListenerException) { }
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
