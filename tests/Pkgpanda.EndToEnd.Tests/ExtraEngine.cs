using System.Diagnostics;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A second Docker engine on this machine that shares no files with it, as a remote build machine would be: dockerd in
/// its own mount, network and pid namespaces (<c>unshare -m -n -p</c>), with its own data root, exec root, pid file,
/// managed containerd and socket under /run, and tmpfs over /tmp and over the checkout's parent, so our paths do not
/// exist there. Started and stopped by pid; stopping kills the namespace's first process, which takes every process
/// of the namespace with it, and removes the data root. Needs root (CI runs as root; elsewhere the tests say so).
/// With TLS files it also listens as <c>dockerd --tlsverify</c> on tcp://127.0.0.1:2376 inside its namespace, which
/// the host reaches at <see cref="TlsAddress"/> through two relays (socat in the namespace onto a socket under /run,
/// <see cref="UnixRelay"/> on the host), TLS end to end.
/// </summary>
public sealed class ExtraEngine : IDisposable
{
    private static int _count;
    private readonly Process _process;
    private readonly string _dataRoot;
    private readonly string _runRoot;
    private readonly UnixRelay? _relay;

    private readonly bool _dataRootMounted;

    private ExtraEngine(string name, TlsCertificates? tls, int dataRootMegabytes)
    {
        _dataRoot = $"/var/lib/{name}";
        _runRoot = $"/run/{name}";
        Directory.CreateDirectory(_dataRoot);
        // A small disk of its own for the engine's storage (images, containers), to fill up in a test.
        if (dataRootMegabytes > 0)
        {
            var mount = Process.Start("mount", ["-t", "tmpfs", "-o", $"size={dataRootMegabytes}m", "tmpfs", _dataRoot])!;
            mount.WaitForExit();
            if (mount.ExitCode != 0) throw new InvalidOperationException($"mount -t tmpfs at {_dataRoot} failed");
            _dataRootMounted = true;
        }
        Directory.CreateDirectory(_runRoot);
        var candidates = new[] { "/tmp", Path.GetDirectoryName(Cli.RepoRoot)!, "/run/containerd" }.Where(Directory.Exists).Distinct().ToList();
        // A folder under another hidden one (a checkout under /tmp, as in CI) is hidden with it: once /tmp is a fresh
        // tmpfs it no longer exists to mount over.
        var hidden = candidates.Where(h => !candidates.Any(o => o != h && h.StartsWith(o.TrimEnd('/') + "/", StringComparison.Ordinal)));
        // /run/containerd holds the host's containerd sockets: dockerd would use a system containerd it finds there.
        var tlsFlags = "";
        var tlsRelay = "";
        if (tls is not null)
        {
            // Under /run, which stays visible in the namespace (the tmpfs covers only /tmp and the checkout's parent).
            var certs = $"{_runRoot}/tls";
            tls.WriteServer(certs);
            tlsFlags = $"--tlsverify --tlscacert '{certs}/ca.pem' --tlscert '{certs}/server-cert.pem' --tlskey '{certs}/server-key.pem' -H tcp://127.0.0.1:2376 ";
            tlsRelay = "ip link set lo up\n" +
                       $"socat UNIX-LISTEN:'{_runRoot}/tls-relay.sock',fork TCP:127.0.0.1:2376 >'{_runRoot}/socat.log' 2>&1 &\n";
        }
        var script = "set -e\nmount --make-rprivate /\n" +
                     string.Concat(hidden.Select(h => $"mount -t tmpfs tmpfs '{h}'\n")) + tlsRelay +
                     $"exec dockerd --data-root '{_dataRoot}' --exec-root '{_runRoot}/exec' --pidfile '{_runRoot}/docker.pid' " +
                     $"-H 'unix://{_runRoot}/docker.sock' {tlsFlags}--bridge none --iptables=false --ip-masq=false >'{_runRoot}/dockerd.log' 2>&1\n";
        var psi = new ProcessStartInfo("unshare", ["-m", "-n", "-p", "--fork", "--mount-proc", "--kill-child=SIGKILL", "sh", "-c", script])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        _process = Process.Start(psi)!;
        Address = $"unix://{_runRoot}/docker.sock";
        if (tls is not null)
        {
            _relay = new UnixRelay($"{_runRoot}/tls-relay.sock");
            TlsAddress = $"tcp://127.0.0.1:{_relay.Port}";
        }
    }

    /// <summary>With TLS: the engine's TLS port as the host reaches it (dockerd --tlsverify, through the relays).</summary>
    public string? TlsAddress { get; }

    /// <summary>The engine's address, for --docker-host and <c>docker -H</c>.</summary>
    public string Address { get; }

    public int Pid => _process.Id;

    /// <summary>Starts one and waits until it answers; fails (never skips) when this machine cannot run one.</summary>
    /// <param name="tls">The CA that signs the engine's certificate and whose client certificates it accepts; null: no TLS port.</param>
    /// <param name="dataRootMegabytes">When above 0, the engine's data root is a tmpfs of this size (its disk can be filled).</param>
    public static async Task<ExtraEngine> StartAsync(TlsCertificates? tls = null, int dataRootMegabytes = 0)
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("Extra engines need root (unshare -m and dockerd); run the tests as root, as CI does.");
        if (tls is not null && !File.Exists("/usr/bin/socat"))
            throw new InvalidOperationException("A TLS extra engine needs socat (its relay out of the engine's network namespace): apt-get install socat, as .ci/run does.");
        var engine = new ExtraEngine($"pkgpanda-test-{Environment.ProcessId}-{Interlocked.Increment(ref _count)}", tls, dataRootMegabytes);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (engine._process.HasExited)
            {
                var why = $"dockerd for {engine.Address} exited: {await engine._process.StandardError.ReadToEndAsync()} {engine.Log()}";
                engine.Dispose(); // its data and run folders go with it
                throw new InvalidOperationException(why);
            }
            if ((await engine.DockerAsync("info", "--format", "{{.ServerVersion}}")).ExitCode == 0 &&
                (tls is null || (await engine.DockerOverTlsAsync(tls, "info", "--format", "{{.ServerVersion}}")).ExitCode == 0))
                return engine;
            await Task.Delay(200);
        }
        var log = engine.Log();
        engine.Dispose();
        throw new TimeoutException($"dockerd for {engine.Address} did not answer within 60 s: {log}");
    }

    /// <summary>Runs the docker CLI against the TLS port with a client certificate of <paramref name="tls"/>, as a user would.</summary>
    public Task<Cli.Result> DockerOverTlsAsync(TlsCertificates tls, params string[] args)
    {
        var client = tls.WriteClient($"{_runRoot}/cli-client");
        return Tool.RunAsync("docker", ["--tlsverify", "--tlscacert", $"{client}/ca.pem", "--tlscert", $"{client}/cert.pem", "--tlskey", $"{client}/key.pem",
            "-H", TlsAddress!, .. args]);
    }

    /// <summary>The engine's data root on this machine (a tmpfs when started with a size).</summary>
    public string DataRoot => _dataRoot;

    /// <summary>Runs the docker CLI against this engine.</summary>
    public Task<Cli.Result> DockerAsync(params string[] args) => Tool.RunAsync("docker", ["-H", Address, .. args]);

    /// <summary>
    /// Copies an image here from the main engine with <c>docker save | docker load</c>, which keeps its id (never a pull).
    /// </summary>
    public async Task LoadFromMainAsync(string image)
    {
        var result = await Tool.RunAsync("sh", "-c", $"docker save '{image}' | docker -H '{Address}' load -q");
        if (result.ExitCode != 0) throw new InvalidOperationException($"copying {image} to {Address} failed: {result.Output}");
    }

    public async Task<string?> ImageIdAsync(string image)
    {
        var result = await DockerAsync("image", "inspect", "--format", "{{.Id}}", image);
        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    /// <summary>Every container on this engine (it is ours alone), running or not.</summary>
    public async Task<string[]> ContainersAsync()
    {
        var result = await DockerAsync("ps", "-a", "--format", "{{.ID}} {{.Labels}}");
        if (result.ExitCode != 0) throw new InvalidOperationException(result.Output);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>How many containers this engine started so far (from its event log).</summary>
    public async Task<int> StartedContainersAsync()
    {
        var result = await DockerAsync("events", "--since", "0", "--until", "0s", "--filter", "type=container", "--filter", "event=start", "--format", "{{.ID}}");
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    /// <summary>Kills the engine at once (SIGKILL to its namespace), as a machine that dies would go.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    private string Log()
    {
        try { return File.ReadAllText($"{_runRoot}/dockerd.log"); }
        catch (IOException) { return ""; }
    }

    public void Dispose()
    {
        _relay?.Dispose();
        Kill();
        _process.Dispose();
        // The namespace's mounts are gone with it; what is left is plain files (and the data root's own tmpfs).
        if (_dataRootMounted) Process.Start("umount", ["-l", _dataRoot])!.WaitForExit();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(_dataRoot)) Directory.Delete(_dataRoot, recursive: true);
                if (Directory.Exists(_runRoot)) Directory.Delete(_runRoot, recursive: true);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
