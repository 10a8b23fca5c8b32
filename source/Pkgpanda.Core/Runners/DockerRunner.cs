using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pkgpanda.Core.Reporting;

namespace Pkgpanda.Core.Runners;

/// <summary>The Docker Engine runner: the only place that talks to Docker.DotNet.</summary>
public sealed class DockerRunner : IRunner, IDisposable
{
    /// <summary>Label on every container we create, so leftovers of a killed run can be found.</summary>
    public const string Label = "io.pkgpanda.build";

    /// <summary>The process that created the container; a container whose process is gone is a leftover.</summary>
    public const string OwnerLabel = "io.pkgpanda.owner-pid";

    private readonly DockerClient _client;

    public DockerRunner(Uri endpoint)
    {
        Endpoint = endpoint;
        _client = new DockerClientBuilder().WithEndpoint(endpoint).Build();
    }

    public Uri Endpoint { get; }

    /// <summary><c>--docker-host</c>, else DOCKER_HOST, else the local socket.</summary>
    public static Uri ResolveEndpoint(string? dockerHost) =>
        new(string.IsNullOrEmpty(dockerHost)
            ? Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env ? env : "unix:///var/run/docker.sock"
            : dockerHost);

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await _client.System.PingAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task<string?> TryGetImageIdAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var inspect = await _client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return inspect.ID;
        }
        catch (DockerImageNotFoundException) { return null; }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound) { return null; }
    }

    public async Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken) =>
        await TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false)
        ?? throw new BuildError($"The Docker image \"{image}\" is not present in the engine at {Endpoint}, and there is no registry to pull it from. " +
                                "Run the Setup target to create the default builder image, build it from a package's docker/ folder, " +
                                $"or load it with `docker load` / `docker import ... {image}`.");

    public Task TagImageAsync(string imageId, string tag, CancellationToken cancellationToken)
    {
        var (repo, t) = SplitTag(tag);
        return _client.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repo, Tag = t }, cancellationToken);
    }

    /// <summary>Creates an image from a root filesystem tar (what <c>docker import</c> does).</summary>
    public async Task<string> ImportImageAsync(Stream rootfsTar, string tag, CancellationToken cancellationToken)
    {
        var (repo, t) = SplitTag(tag);
        var errors = new List<string>();
        await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromSrc = "-", Repo = repo, Tag = t }, rootfsTar, null,
            new SyncProgress<JSONMessage>(m => { if (m.Error is not null) errors.Add(m.Error.Message ?? "unknown error"); }), cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0) throw new InvalidOperationException($"Importing {tag} failed: {string.Join("; ", errors)}");
        return await GetImageIdAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> BuildImageAsync(string contextDirectory, string tag, IProgress<string>? output, CancellationToken cancellationToken)
    {
        using var context = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(contextDirectory, context, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
        context.Position = 0;
        var errors = new List<string>();
        var tail = new Queue<string>();
        var progress = new SyncProgress<JSONMessage>(m =>
        {
            if (m.Error is not null) errors.Add(m.Error.Message ?? "unknown error");
            else if (!string.IsNullOrWhiteSpace(m.Stream))
            {
                var line = m.Stream.TrimEnd('\n');
                output?.Report(line);
                tail.Enqueue(line);
                if (tail.Count > 15) tail.Dequeue();
            }
        });
        await _client.Images.BuildImageFromDockerfileAsync(new ImageBuildParameters { Tags = [tag], Remove = true, ForceRemove = true, NetworkMode = "none", Pull = null },
            context, null, null, progress, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
            throw new BuildError($"Building the Docker image {tag} from {contextDirectory} failed: {string.Join("; ", errors)}\n" +
                                 string.Join("\n", tail.Select(l => "  | " + l)));
        return await GetImageIdAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> RunAsync(ContainerSpec spec, IProgress<string> output, CancellationToken cancellationToken)
    {
        var create = new CreateContainerParameters
        {
            Image = spec.Image,
            Cmd = spec.Command.ToList(),
            Env = spec.Environment.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            WorkingDir = spec.WorkingDirectory ?? "",
            Labels = new Dictionary<string, string> { [Label] = spec.Name ?? "build", [OwnerLabel] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            NetworkDisabled = !spec.Network,
            HostConfig = new HostConfig
            {
                NetworkMode = spec.Network ? "bridge" : "none",
                Binds = spec.Mounts.Select(m => $"{m.HostPath}:{m.ContainerPath}:{(m.ReadOnly ? "ro" : "rw")}").ToList(),
            },
        };
        var created = await _client.Containers.CreateContainerAsync(create, cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            // Following the logs from the start replays what was printed before we attached, so no line is lost.
            var logs = PumpLogsAsync(created.ID, output, cancellationToken);
            var wait = await _client.Containers.WaitContainerAsync(created.ID, cancellationToken).ConfigureAwait(false);
            try { await logs.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
            catch (TimeoutException) { }
            return wait.StatusCode;
        }
        finally
        {
            // Removal must happen even when the caller was cancelled, so it gets its own token.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cleanup.Token).ConfigureAwait(false);
            }
            catch (DockerApiException) { }
        }
    }

    public async Task FixOwnershipAsync(string image, IReadOnlyList<string> hostPaths, CancellationToken cancellationToken)
    {
        if (LocalHost.IsRoot || hostPaths.Count == 0) return;
        var (uid, gid) = (LocalHost.UserId, LocalHost.GroupId);
        var mounts = hostPaths.Select((p, i) => new Mount(p, $"/fix/{i}", ReadOnly: false)).ToList();
        await RunAsync(new ContainerSpec
        {
            Image = image,
            Command = ["chown", "-R", $"{uid}:{gid}", .. mounts.Select(m => m.ContainerPath)],
            Mounts = mounts,
            Name = "chown",
        }, SyncProgress<string>.Ignore, cancellationToken).ConfigureAwait(false);
    }

    private async Task PumpLogsAsync(string id, IProgress<string> output, CancellationToken cancellationToken)
    {
        using var stream = await _client.Containers.GetContainerLogsAsync(id,
            new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true }, cancellationToken).ConfigureAwait(false);
        var stdout = new LineProgress(output);
        var stderr = new LineProgress(output);
        var buffer = new byte[16384];
        var decoders = new[] { System.Text.Encoding.UTF8.GetDecoder(), System.Text.Encoding.UTF8.GetDecoder() };
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF) break;
            var isErr = read.Target == MultiplexedStream.TargetStream.StandardError;
            var n = decoders[isErr ? 1 : 0].GetChars(buffer, 0, read.Count, chars, 0);
            (isErr ? stderr : stdout).Report(new string(chars, 0, n));
        }
        stdout.Flush();
        stderr.Flush();
    }

    /// <summary>
    /// Removes containers that a killed earlier run left behind (SIGKILL gives no chance to clean up): ours, whose
    /// creating process no longer exists on this machine.
    /// </summary>
    public async Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken)
    {
        var list = await _client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [Label] = true } },
        }, cancellationToken).ConfigureAwait(false);
        var removed = 0;
        foreach (var c in list)
        {
            if (!c.Labels.TryGetValue(OwnerLabel, out var owner) || !int.TryParse(owner, out var pid) || LocalHost.IsAlive(pid)) continue;
            await _client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true }, cancellationToken).ConfigureAwait(false);
            removed++;
        }
        return removed;
    }

    private static (string Repo, string Tag) SplitTag(string image)
    {
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Log chunks arrive in arbitrary pieces; callers want lines.</summary>
    private sealed class LineProgress(IProgress<string> lines) : IProgress<string>
    {
        private readonly System.Text.StringBuilder _pending = new();

        public void Report(string value)
        {
            lock (_pending)
            {
                _pending.Append(value);
                var text = _pending.ToString();
                var last = text.LastIndexOf('\n');
                if (last < 0) return;
                foreach (var line in text[..last].Split('\n')) lines.Report(line.TrimEnd('\r'));
                _pending.Clear().Append(text[(last + 1)..]);
            }
        }

        public void Flush()
        {
            lock (_pending)
            {
                if (_pending.Length > 0) lines.Report(_pending.ToString());
                _pending.Clear();
            }
        }
    }
}
