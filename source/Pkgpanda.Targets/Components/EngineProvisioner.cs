using System.Diagnostics;
using Pkgpanda.Core;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.Targets.Components;

/// <summary>
/// Makes the default local engine answer: when it does not and we are root on Debian/Ubuntu, installs docker.io and
/// busybox-static and starts dockerd in the background; otherwise says exactly what the user must do. Any other
/// address is never provisioned: a remote engine that does not answer is reported by the pool and left out.
/// Provisioning the machine is the front end's (the Setup target's) business, not the library's.
/// </summary>
internal sealed class EngineProvisioner(DockerRunner docker, string logDirectory, IProgress<string> progress)
{
    public async Task EnsureEngineAsync(CancellationToken cancellationToken)
    {
        if (!IsDefaultLocalSocket(docker.Address)) return;
        if (await docker.PingAsync(cancellationToken).ConfigureAwait(false)) return;
        if (!LocalHost.IsRoot || !File.Exists("/usr/bin/apt-get"))
            throw new EnvironmentFault("No Docker engine answers at " + docker.Endpoint + ". Install and start one, e.g. as root: " +
                                 "`apt-get update && apt-get install -y docker.io busybox-static && dockerd &` (or `systemctl start docker`).");

        if (!File.Exists("/usr/sbin/dockerd") && !File.Exists("/usr/bin/dockerd") || DefaultBuilderImage.FindStaticBusybox() is null)
        {
            progress.Report("Installing docker.io and busybox-static with apt-get");
            await RunAsync("apt-get", ["update", "-qq"], cancellationToken).ConfigureAwait(false);
            await RunAsync("apt-get", ["install", "-y", "-qq", "docker.io", "busybox-static"], cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(logDirectory);
        var log = Path.Combine(logDirectory, "dockerd.log");
        progress.Report($"Starting dockerd in the background (log: {log})");
        var dockerd = File.Exists("/usr/sbin/dockerd") ? "/usr/sbin/dockerd" : "/usr/bin/dockerd";
        // setsid detaches dockerd from our process group, so it outlives this build and a Ctrl+C here.
        var psi = new ProcessStartInfo("/usr/bin/setsid", ["-f", "sh", "-c", $"exec {dockerd} >>'{log}' 2>&1 </dev/null"]) { UseShellExecute = false };
        using (var p = Process.Start(psi)!) await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await docker.PingAsync(cancellationToken).ConfigureAwait(false)) return;
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
        throw new EnvironmentFault($"dockerd was started but did not answer within 60 s; see {log}.");
    }

    /// <summary>The socket a local dockerd listens on by default (written as Docker writes it, or with /run for /var/run).</summary>
    public static bool IsDefaultLocalSocket(string address) =>
        address is DockerRunner.DefaultAddress or "unix:///run/docker.sock";

    private async Task RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (p.ExitCode != 0)
            throw new EnvironmentFault($"`{file} {string.Join(' ', args)}` failed with exit code {p.ExitCode}: {(await stderr).Trim()}");
        _ = await stdout;
    }
}
