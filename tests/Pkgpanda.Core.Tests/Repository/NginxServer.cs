using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>
/// A real nginx (Debian's package) on a free 127.0.0.1 port, serving a folder with WebDAV PUT, in the foreground as
/// one process so a test can kill it mid-request. Locations under <see cref="BaseUrl"/>:
/// <c>/open/</c> (anyone), <c>/private/</c> (only <c>Authorization: Bearer &lt;token&gt;</c>), <c>/broken/</c> (always 503).
/// Everything (config, logs, temp files, documents) lives in one temporary folder, removed on dispose.
/// Reusable from other test projects: it depends on nothing but the BCL.
/// </summary>
public sealed class NginxServer : IDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    public const string Token = "s3cr3t-t0ken-do-not-print";

    private Process? _process;
    private readonly System.Text.StringBuilder _stderr = new();

    private NginxServer(string folder, int port)
    {
        Folder = folder;
        Port = port;
    }

    /// <summary>Whether the tests can run here; with CI=true a missing nginx is a failure, so CI never silently skips.</summary>
    public static bool Available => File.Exists(Binary);

    public static bool RequiredByCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public string Folder { get; }
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string OpenUrl => BaseUrl + "/open/";
    public string PrivateUrl => BaseUrl + "/private/";
    public string BrokenUrl => BaseUrl + "/broken/";

    /// <summary>The document root: <c>/open/x</c> is <c>&lt;Documents&gt;/open/x</c>.</summary>
    public string Documents => Path.Combine(Folder, "www");

    /// <summary>Where nginx keeps request bodies while they arrive (it renames a complete body into place).</summary>
    public string BodyTemp => Path.Combine(Folder, "client_body");

    public string ErrorLog => Path.Combine(Folder, "error.log");

    public bool Running => _process is { HasExited: false };

    public static NginxServer Start()
    {
        if (!Available)
            throw new InvalidOperationException($"nginx is not installed at {Binary} (apt-get install nginx-light); the repository tests need a real server.");
        var folder = Path.Combine(Path.GetTempPath(), "pkgpanda-nginx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "www", "open"));
        Directory.CreateDirectory(Path.Combine(folder, "www", "private"));
        var server = new NginxServer(folder, FreePort());
        File.WriteAllText(server.ConfigPath, server.Config());
        try
        {
            server.Restart();
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>Starts nginx again on the same port and folder (after <see cref="Kill"/>).</summary>
    public void Restart()
    {
        if (Running) throw new InvalidOperationException("nginx is already running.");
        var start = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-p", Folder + "/", "-e", ErrorLog, "-c", ConfigPath }) start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        // Drained as it comes, so a chatty nginx can never block on a full pipe.
        _process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitUntilListening();
    }

    /// <summary>SIGKILL: the server dies at once, mid-request, as a crashed or unplugged machine would.</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string ConfigPath => Path.Combine(Folder, "nginx.conf");

    private string Config() => $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{Folder}}/nginx.pid;
        error_log {{ErrorLog}} info;
        events { worker_connections 128; }
        http {
            access_log {{Folder}}/access.log;
            client_body_temp_path {{BodyTemp}};
            proxy_temp_path {{Folder}}/proxy;
            fastcgi_temp_path {{Folder}}/fastcgi;
            uwsgi_temp_path {{Folder}}/uwsgi;
            scgi_temp_path {{Folder}}/scgi;
            client_max_body_size 0;
            server {
                listen 127.0.0.1:{{Port}};
                root {{Documents}};
                dav_methods PUT;
                create_full_put_path on;
                dav_access user:rw group:r all:r;
                location /open/ { }
                location /private/ {
                    if ($http_authorization != "Bearer {{Token}}") { return 401; }
                }
                location /broken/ { return 503; }
            }
        }
        """;

    private void WaitUntilListening()
    {
        // A readiness wait, not a timing assertion: the deadline only bounds a hung start.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"nginx exited with code {_process.ExitCode} on start: {Stderr()} {ReadErrorLog()}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    private string Stderr()
    {
        _process!.WaitForExit();
        lock (_stderr) return _stderr.ToString();
    }

    private string ReadErrorLog() => File.Exists(ErrorLog) ? File.ReadAllText(ErrorLog) : "";

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}

/// <summary>
/// A fact that needs nginx: skipped where it is not installed, except under CI=true, where it runs and fails with
/// <see cref="NginxServer.Start"/>'s message.
/// </summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (!NginxServer.Available && !NginxServer.RequiredByCi) Skip = $"nginx is not installed at {NginxServer.Binary}";
    }
}

/// <summary>The theory form of <see cref="NginxFactAttribute"/>.</summary>
public sealed class NginxTheoryAttribute : TheoryAttribute
{
    public NginxTheoryAttribute()
    {
        if (!NginxServer.Available && !NginxServer.RequiredByCi) Skip = $"nginx is not installed at {NginxServer.Binary}";
    }
}
