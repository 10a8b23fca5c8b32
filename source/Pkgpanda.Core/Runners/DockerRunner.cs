using System.Formats.Tar;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pkgpanda.Core.Reporting;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// One Docker engine, local or remote: runs build steps and holds images. The only place that talks to
/// Docker.DotNet. Whether the engine sees our files is found out once, by a probe (an SSH-forwarded unix socket is
/// remote too): then inputs are bind-mounted, else they travel as tar streams through the Engine API.
/// Every fault is told in the engine's terms (its address, the image, the cause), never as a Docker.DotNet trace.
/// </summary>
public sealed class DockerRunner : IRunner, IImageStore, IDisposable
{
    /// <summary>Label on every container we create, so leftovers of a killed run can be found.</summary>
    public const string Label = "io.pkgpanda.build";

    /// <summary>The machine that created the container (<see cref="LocalHost.Identity"/>): a shared engine serves several.</summary>
    public const string HostLabel = "io.pkgpanda.host";

    /// <summary>The run that created the container (<see cref="LocalHost.RunId"/>); a container whose run is gone is a leftover.</summary>
    public const string RunLabel = "io.pkgpanda.run";

    /// <summary>The creating process id alone, for people and tests filtering <c>docker ps</c>; the sweep does not trust it.</summary>
    public const string OwnerLabel = "io.pkgpanda.owner-pid";

    public const string DefaultAddress = "unix:///var/run/docker.sock";

    private const string ProbeMount = "/.pkgpanda-probe";

    /// <summary>Made on first use: a run with nothing to build names its engines but asks them nothing (a client costs ~7 ms to make).</summary>
    private readonly Lazy<DockerClient> _lazyClient;

    private DockerClient Client => _lazyClient.Value;

    /// <summary>
    /// Plain requests over a local socket for the answers a build's start waits for (the CPU count, image ids): the
    /// client's JSON models cost tens of milliseconds each the first time. Null for other endpoints.
    /// </summary>
    private readonly EngineProbe? _plain;
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private readonly List<Task> _removals = [];
    private bool? _sharesFiles;
    /// <summary>Images a step could not be started ahead in (no <c>/bin/sh</c>): their steps start when they run.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _noEarlyStart = new(StringComparer.Ordinal);

    /// <summary>
    /// A container started early lost its connection while it waited (a relay or SSH forward closes idle connections):
    /// from then on this engine's steps start when they run, so no connection idles before its step has begun.
    /// </summary>
    private volatile bool _idleCutOff;

    /// <summary>The connection to a container started early broke while it waited, and the engine still answers.</summary>
    private sealed class EarlyStartCutOff(EngineLost lost) : Exception(lost.Message, lost);

    /// <summary>Runs <paramref name="send"/>, the first word to a container that waited since its early start.</summary>
    private async Task FirstWordAsync(Func<Task> send, CancellationToken cancellationToken)
    {
        EngineLost? cut;
        try
        {
            await send().ConfigureAwait(false);
            return;
        }
        catch (EngineLost lost) when (!cancellationToken.IsCancellationRequested) { cut = lost; }
        if (await TryPingAsync(cancellationToken).ConfigureAwait(false) is not null) throw cut;
        _idleCutOff = true;
        throw new EarlyStartCutOff(cut);
    }
    /// <summary>Images whose steps cannot carry their files on the container's own streams (no <c>/bin/sh</c>): the archive API carries them.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _noStreams = new(StringComparer.Ordinal);

    /// <param name="tls">Client certificates for <c>tcp://</c> engines (the docker CLI's DOCKER_CERT_PATH); null: plain tcp.</param>
    public DockerRunner(Uri endpoint, EngineTls? tls = null)
    {
        Endpoint = endpoint;
        _plain = EngineProbe.For(endpoint, () => this);
        _lazyClient = new(() => new DockerClientBuilder().WithEndpoint(endpoint).WithAuthProvider(EngineConnection.For(endpoint, tls)).Build(), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Uri Endpoint { get; }

    public string Address => Endpoint.OriginalString;

    /// <summary>Whether the last probe found that the engine sees our files; null before the first step.</summary>
    public bool? SharesFiles => _sharesFiles;

    /// <summary><c>--docker-host</c>, else DOCKER_HOST, else the local socket.</summary>
    public static Uri ResolveEndpoint(string? dockerHost) =>
        new(string.IsNullOrEmpty(dockerHost)
            ? Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env ? env : DefaultAddress
            : dockerHost);

    public async Task<bool> PingAsync(CancellationToken cancellationToken) => await TryPingAsync(cancellationToken).ConfigureAwait(false) is null;

    /// <summary>Null when the engine answers, else why it does not (in words for a message).</summary>
    public async Task<string?> TryPingAsync(CancellationToken cancellationToken)
    {
        // A missing socket file reads as "Cannot assign requested address" from the socket layer: say what it is.
        if (Endpoint.Scheme == "unix" && !File.Exists(Endpoint.AbsolutePath)) return $"there is no socket {Endpoint.AbsolutePath}";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await Client.System.PingAsync(timeout.Token).ConfigureAwait(false);
            return null;
        }
        // A TLS mistake (certificates, CA) is not an engine that is down: it stops the run (EngineConnection words it).
        catch (DockerApiException ex)
        {
            return $"it answered {(int)ex.StatusCode} ({ex.StatusCode}) to a Docker engine's ping (GET /_ping): is it a Docker engine?";
        }
        catch (Exception ex) when (ex is not EnvironmentFault && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            return ex is OperationCanceledException ? "no answer within 5 s" : Cause(ex);
        }
    }

    /// <summary>How many CPUs the engine reports (<c>docker info</c> NCPU): how many steps it runs at once by default.</summary>
    public async Task<int> CpusAsync(CancellationToken cancellationToken)
    {
        if (_plain?.TryGetCpus(cancellationToken) is { } cpus) return cpus;
        var info = await CallAsync(() => Client.System.GetSystemInfoAsync(cancellationToken), "reading its info", cancellationToken).ConfigureAwait(false);
        return Math.Max(1, (int)info.NCPU);
    }

    // ---- images -------------------------------------------------------------------------------------------

    public async Task<string?> TryGetImageIdAsync(string image, CancellationToken cancellationToken)
    {
        if (_plain is not null)
            try { return await _plain.TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false); }
            catch (IOException) { } // no clear answer: the client asks, and words what is wrong
        try
        {
            var inspect = await Client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return inspect.ID;
        }
        catch (DockerImageNotFoundException) { return null; }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound) { return null; }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            throw new BuildError($"\"{image}\" is not a valid Docker image reference (the engine at {Address} says: {ApiMessage(ex)}); " +
                                 "write it as [registry/]name[:tag] in lower case, e.g. \"dcos/dcos-builder:latest\".");
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            throw new EngineLost(Address, $"{Cause(ex)} (while looking up the image \"{image}\")", ex);
        }
    }

    public async Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken) =>
        await TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false)
        ?? throw new BuildError($"The Docker image \"{image}\" is not present in the engine at {Address}, and there is no registry to pull it from. " +
                                $"Load it with `docker load` / `docker import ... {image}`, or name one the engine holds" +
                                (image.StartsWith(BuilderImages.Repository + ":", StringComparison.Ordinal) ? $"; the Setup target makes the {BuilderImages.Repository} images (the default builder, and those of packages' docker/ folders)." : "."));

    public Task TagImageAsync(string imageId, string tag, CancellationToken cancellationToken)
    {
        var (repo, t) = SplitTag(tag);
        return CallAsync(() => Client.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repo, Tag = t }, cancellationToken),
            $"tagging {imageId} as {tag}", cancellationToken);
    }

    public async Task<string> ImportImageAsync(Stream rootfsTar, string tag, CancellationToken cancellationToken)
    {
        var (repo, t) = SplitTag(tag);
        var errors = new List<string>();
        await CallAsync(() => Client.Images.CreateImageAsync(new ImagesCreateParameters { FromSrc = "-", Repo = repo, Tag = t }, rootfsTar, null,
            new SyncProgress<JSONMessage>(m => { if (m.Error is not null) errors.Add(m.Error.Message ?? "unknown error"); }), cancellationToken),
            $"importing the image {tag}", cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0) throw new EnvironmentFault($"The Docker engine at {Address} could not import the image {tag}: {string.Join("; ", errors)}");
        return await GetImageIdAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    public Task<Stream> SaveImageAsync(string image, CancellationToken cancellationToken) =>
        CallAsync(() => Client.Images.SaveImageAsync(image, cancellationToken), $"saving the image {image}", cancellationToken);

    public async Task LoadImageAsync(Stream archive, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        await CallAsync(() => Client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, archive,
            new SyncProgress<JSONMessage>(m => { if (m.Error is not null) errors.Add(m.Error.Message ?? "unknown error"); }), cancellationToken),
            "loading an image", cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0) throw new EnvironmentFault($"The Docker engine at {Address} could not load an image: {string.Join("; ", errors)}");
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
        try
        {
            await CallAsync(() => Client.Images.BuildImageFromDockerfileAsync(new ImageBuildParameters { Tags = [tag], Remove = true, ForceRemove = true, NetworkMode = "none", Pull = null },
                context, null, null, progress, cancellationToken), $"building the image {tag}", cancellationToken).ConfigureAwait(false);
        }
        catch (EnvironmentFault fault) when (fault.InnerException is DockerApiException { StatusCode: System.Net.HttpStatusCode.BadRequest } api)
        {
            // The engine answered and refused the Dockerfile itself (a parse error): the folder is broken, not the engine.
            throw new BuildError($"Building the Docker image {tag} from {contextDirectory} failed: {ApiMessage(api)}", fault);
        }
        if (errors.Count > 0)
            throw new BuildError($"Building the Docker image {tag} from {contextDirectory} failed: {string.Join("; ", errors)}\n" +
                                 string.Join("\n", tail.Select(l => "  | " + l)));
        return await GetImageIdAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    // ---- running ------------------------------------------------------------------------------------------

    public async Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken)
    {
        await using var prepared = await PrepareAsync(step, cancellationToken).ConfigureAwait(false);
        return await prepared.RunAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the step's container and, when the engine does not see our files, sends the inputs that are not
    /// deferred; the deferred ones and the output folder's starting content go in when the step starts. Bind mounts
    /// are resolved by the engine at the start, so a deferred bound folder may be filled until then.
    /// </summary>
    public async Task<IPreparedStep> PrepareAsync(BuildStep step, CancellationToken cancellationToken)
    {
        try
        {
            if (_sharesFiles is null && step is { Output: not null, StartEarly: true } && !_idleCutOff && !_noEarlyStart.ContainsKey(step.Image) &&
                await TryPrepareWhileProbingAsync(step, cancellationToken).ConfigureAwait(false) is { } guessed)
                return guessed;
            var binds = await SharesFilesAsync(step, cancellationToken).ConfigureAwait(false);
            // Where the engine binds our files the command waits behind the Gate; elsewhere behind the StreamGate, its files
            // on the container's own streams (benchmarks/engines.sh, started early: one engine 17.5-17.7 s vs 18.5-18.8 s,
            // two 10.0 s vs 10.3-10.6 s).
            var launch = binds ? (_noEarlyStart.ContainsKey(step.Image) ? Launch.Plain : Launch.Gated)
                : step.Output is not null && !_noStreams.ContainsKey(step.Image) ? Launch.Streamed : Launch.Plain;
            if (step.StartEarly && !_idleCutOff && launch != Launch.Plain && await TryPrepareStartedAsync(step, binds, launch, cancellationToken).ConfigureAwait(false) is { } started)
                return started;
            // Not started early: a bound step runs plainly; a streamed one stays behind its gate unless its image has no shell.
            if (launch == Launch.Gated || _noStreams.ContainsKey(step.Image)) launch = Launch.Plain;
            return await PrepareCreatedAsync(step, binds, launch, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineLost lost) when (!cancellationToken.IsCancellationRequested)
        {
            throw await Broken(step, lost).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The first steps, while the engine's file sharing is still being probed: each makes its container as if the
    /// engine saw our files (a local engine, the common case) beside the probe rather than after it (the probe and a
    /// create are ~120 ms of every build's critical path, twice over with the other steps waiting), and starts it early
    /// once the probe says so. Null when the probe says otherwise, or the guess failed (an engine that does not see our
    /// folders refuses their binds): the step is then prepared knowing the answer. A container made on a wrong guess is
    /// never started, so its binds never touch anything.
    /// </summary>
    private async Task<PreparedContainer?> TryPrepareWhileProbingAsync(BuildStep step, CancellationToken cancellationToken)
    {
        var probing = SharesFilesAsync(step, cancellationToken);
        PreparedContainer? guess = null;
        try { guess = await PrepareCreatedAsync(step, binds: true, Launch.Gated, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is EnvironmentFault or EngineLost && !cancellationToken.IsCancellationRequested) { }
        catch
        {
            Observe(probing);
            throw;
        }
        bool shares;
        try { shares = await probing.ConfigureAwait(false); }
        catch
        {
            if (guess is not null) await guess.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (guess is null) return null;
        if (shares) return await StartEarlyAsync(guess, step, Launch.Gated, cancellationToken).ConfigureAwait(false);
        await guess.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Inputs at least this big are sent when the step is prepared; smaller ones with the deferred inputs (one archive
    /// less for the engine to extract, measured at ~80 ms of its CPU each, while ~4 MiB more in the late archive cost
    /// ~20 ms).
    /// </summary>
    private const long AheadBytes = 4L << 20;

    /// <summary>How a step's container runs its command.</summary>
    private enum Launch
    {
        /// <summary>As the command itself.</summary>
        Plain,
        /// <summary>Behind the <see cref="Gate"/>, started early, on an engine that binds our files.</summary>
        Gated,
        /// <summary>Behind the <see cref="StreamGate"/>, its files on its own standard streams.</summary>
        Streamed,
    }

    private async Task<PreparedContainer> PrepareCreatedAsync(BuildStep step, bool binds, Launch launch, CancellationToken cancellationToken)
    {
        // The stream gate's first line carries a mark in its command line; the last line of either gate carries one that
        // travels on its standard input and that the build script never sees (a command line is readable in /proc).
        var mark = launch == Launch.Plain ? null : $"pkgpanda-files-{Guid.NewGuid():N}";
        var secret = launch == Launch.Plain ? null : $"pkgpanda-done-{Guid.NewGuid():N}";
        var id = await CreateAsync(step, binds, mark, launch, cancellationToken).ConfigureAwait(false);
        try
        {
            // Each archive sent costs the engine ~80 ms of CPU whatever its size (it mounts the container and extracts in
            // a process of its own): inputs that are ready go ahead only when they are big enough for the transfer to
            // matter; small ones travel with the deferred ones, in one archive.
            var ahead = step.Inputs.Where(i => !i.Deferred).Select(i => (i.HostPath, i.ContainerPath)).ToList();
            var sentAhead = !binds && Store.FileTree.DataBytes(ahead.Select(a => a.HostPath), AheadBytes) >= AheadBytes;
            if (sentAhead) await SendInputsAsync(id, step, ahead, cancellationToken).ConfigureAwait(false);
            // Attached now, before the start, so no line is lost and the start costs one call less.
            return new PreparedContainer(this, step, id, binds, sentAhead, await AttachAsync(id, stdin: launch != Launch.Plain, cancellationToken).ConfigureAwait(false))
                { DoneMark = secret, FirstLineMark = mark, Streamed = launch == Launch.Streamed };
        }
        catch
        {
            await RemoveAsync(id).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The container created and started now, its command held back behind its gate until the step runs (the engine's
    /// start-up, the slowest part of a short step, then happens while the step still waits for its requires or a slot).
    /// Null when it cannot start early (an image without <c>/bin/sh</c>, a mount the engine refuses this early):
    /// the step is then prepared as usual and any real fault is met, and told, at its start.
    /// </summary>
    private async Task<PreparedContainer?> TryPrepareStartedAsync(BuildStep step, bool binds, Launch launch, CancellationToken cancellationToken)
    {
        var prepared = await PrepareCreatedAsync(step, binds, launch, cancellationToken).ConfigureAwait(false);
        return await StartEarlyAsync(prepared, step, launch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a container made behind its gate; null (the container removed) when the engine refuses the start this early.</summary>
    private async Task<PreparedContainer?> StartEarlyAsync(PreparedContainer prepared, BuildStep step, Launch launch, CancellationToken cancellationToken)
    {
        try
        {
            await StartContainerAsync(prepared.Container, step, cancellationToken).ConfigureAwait(false);
            prepared.StartedEarly = true;
            return prepared;
        }
        catch (EnvironmentFault) when (!cancellationToken.IsCancellationRequested)
        {
            // Not tried again for this image in this run (each try costs a container made and removed).
            (launch == Launch.Streamed ? _noStreams : _noEarlyStart).TryAdd(step.Image, true);
            await prepared.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        catch
        {
            await prepared.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// What a container started early runs (the step's command): it waits for one line on its standard input ("go" and
    /// a mark made for it, written when the step runs; the mark is never in a command line, which the script could read
    /// in /proc, so only the gate can print it), then runs the command with the standard input a
    /// step always had (none) and its standard error joined to its output (the log shows both in one stream anyway; now
    /// in the exact order written, and nothing can arrive after the last line). Input closed without it (the run that
    /// made it was killed): it ends without running anything. Once the command is done, whatever it left running is
    /// killed and waited for (every thread of the container but the first process and this shell has exited), and the
    /// last line says the mark and the exit code: the step is over then, a tenth of a second before the engine has
    /// noticed the container's end (benchmarks/scheduler.sh). What cannot be killed from here (another user's process)
    /// is waited for up to ~5 s; then the shell ends without the mark and the engine's own notice decides, as it does
    /// for a container that is not started early.
    /// </summary>
    private const string Gate =
        "read -r go k && [ \"$go\" = go ] && [ -n \"$k\" ] || exit 1; exec 2>&1; \"$@\" </dev/null; s=$?; kill -9 -1 2>/dev/null; n=0; " +
        "while :; do b=; for f in /proc/[0-9]*/task/[0-9]*/stat; do read -r l 2>/dev/null <\"$f\" || continue; p=${l%% *}; t=${l##*) }; t=${t%% *}; " +
        "[ \"$p\" = 1 ] || [ \"$p\" = $$ ] || [ \"$t\" = Z ] || [ \"$t\" = X ] || b=1; done; [ -z \"$b\" ] && break; " +
        "n=$((n+1)); [ $n -ge 500 ] && exit $s; sleep 0.01 2>/dev/null; done; " +
        "printf '%s %s\\n' \"$k\" \"$s\"; exit $s";

    /// <summary>
    /// What a step runs on an engine that does not see our files (<c>$1</c> the mark of its first line, <c>$2</c> the result folder, then the
    /// step's command), so that its files travel on the container's own standard streams instead of the engine's archive
    /// calls (each archive in or out costs the engine a process of its own: ~120 ms of its CPU, against ~10 for the
    /// streams, measured on Docker 20.10). Its first line (standard output) says how: <c>mark tar</c> when it runs as
    /// root and has <c>tar</c> (it then reads a line, the mark of its last line, and the inputs as a tar archive on its
    /// standard input, extracted at <c>/</c>), else <c>mark api</c> (the inputs are sent through the API, then a line
    /// "go" and the mark of its last line). The command runs as behind
    /// <see cref="Gate"/>, its output on the standard error; the result folder then goes out on the standard output as a
    /// tar archive (with <c>tar</c>), and the last line of the standard error is the mark and the exit code. Without the
    /// mark (what the step left running could not be killed within ~5 s, or <c>tar</c> could not pack the result) the
    /// container's end decides, and the result is fetched through the API once it has ended.
    /// </summary>
    private const string StreamGate =
        "k=$1; o=$2; shift 2; u=; while read -r a b c; do [ \"$a\" = Uid: ] && u=$b; done </proc/self/status 2>/dev/null; " +
        "if [ \"$u\" = 0 ] && command -v tar >/dev/null 2>&1; then m=tar; else m=api; fi; printf '%s %s\\n' \"$k\" $m; " +
        "if [ $m = tar ]; then read -r e && [ -n \"$e\" ] || exit 1; tar -x -f - -C / || { echo \"$0: the inputs could not be unpacked (tar exit $?)\" >&2; exit 125; }; " +
        "else read -r go e && [ \"$go\" = go ] && [ -n \"$e\" ] || exit 1; fi; exec </dev/null; " +
        "\"$@\" >&2; s=$?; kill -9 -1 2>/dev/null; n=0; " +
        "while :; do b=; for f in /proc/[0-9]*/task/[0-9]*/stat; do read -r l 2>/dev/null <\"$f\" || continue; p=${l%% *}; t=${l##*) }; t=${t%% *}; " +
        "[ \"$p\" = 1 ] || [ \"$p\" = $$ ] || [ \"$t\" = Z ] || [ \"$t\" = X ] || b=1; done; [ -z \"$b\" ] && break; " +
        "n=$((n+1)); [ $n -ge 500 ] && exit $s; sleep 0.01 2>/dev/null; done; " +
        "if [ $m = tar ]; then d=${o%/*}; tar -c -f - -C \"${d:-/}\" \"${o##*/}\" || { echo \"$0: the result folder $o could not be packed (tar exit $?)\" >&2; exit $s; }; fi; " +
        "printf '%s %s\\n' \"$e\" \"$s\" >&2; exit $s";

    /// <summary>The name the gate's shell runs under (<c>$0</c>): its own messages start with it.</summary>
    internal const string GateName = "pkgpanda-gate";

    /// <summary>A broken connection is a lost engine only when it no longer answers; else it broke off this one step.</summary>
    private async Task<Exception> Broken(BuildStep step, EngineLost lost) =>
        await TryPingAsync(CancellationToken.None).ConfigureAwait(false) is null
            ? new EnvironmentFault($"The Docker engine at {Address} broke off running {step.Name} in {step.Image}: {lost.Cause}", lost)
            : lost;

    /// <param name="mark">Behind a gate: the mark its last line carries.</param>
    private async Task<string> CreateAsync(BuildStep step, bool binds, string? mark, Launch launch, CancellationToken cancellationToken)
    {
        var gated = launch != Launch.Plain;
        var streamed = launch == Launch.Streamed;
        var create = new CreateContainerParameters
        {
            Image = step.Image,
            Cmd = launch switch
            {
                Launch.Streamed => ["/bin/sh", "-c", StreamGate, GateName, mark!, step.Output!.ContainerPath, .. step.Command],
                Launch.Gated => ["/bin/sh", "-c", Gate, GateName, .. step.Command],
                _ => step.Command.ToList(),
            },
            OpenStdin = gated,
            StdinOnce = gated,
            AttachStdin = gated,
            Env = step.Environment.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            WorkingDir = step.WorkingDirectory ?? "",
            Labels = Labels(step.Name),
            NetworkDisabled = !step.Network,
            HostConfig = new HostConfig
            {
                NetworkMode = step.Network ? "bridge" : "none",
                Mounts = binds ? MountsOf(step) : [],
                // The result comes back on the standard output: not through the engine's log files as well (the build's
                // log is ours; attached before the start, so nothing is missed).
                LogConfig = streamed ? new LogConfig { Type = "none" } : null!,
            },
        };
        // Not cancelled midway: an engine that made the container while the call was cancelled would leave it with no
        // one knowing its id (a Ctrl-C or SIGTERM then left it behind). A create takes a moment; the caller's
        // cancellation is honoured as soon as it returns.
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var created = await CallAsync(() => Client.Containers.CreateContainerAsync(create, bounded.Token),
            $"creating the container for {step.Name} from the image {step.Image}", cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            await RemoveAsync(created.ID).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        return created.ID;
    }

    /// <summary>stdout and stderr of a container, as one stream in the order written; attach before the start.</summary>
    private Task<MultiplexedStream> AttachAsync(string container, bool stdin, CancellationToken cancellationToken) =>
        CallAsync(() => Client.Containers.AttachContainerAsync(container,
            new ContainerAttachParameters { Stream = true, Stdin = stdin, Stdout = true, Stderr = true }, cancellationToken), "attaching to the container", cancellationToken);

    /// <summary>Starts a created container, streams its output until it exits and brings its output back.</summary>
    /// <param name="doneMark">Started early behind the <see cref="Gate"/>: the mark its last line carries, with the exit code.</param>
    private async Task<long> StartAsync(string container, MultiplexedStream stream, BuildStep step, bool binds, bool sent, bool sentAhead, string? doneMark, IProgress<string> output, CancellationToken cancellationToken)
    {
        try
        {
            if (!binds && !sent) await SendLateAsync(container, step, sentAhead, cancellationToken).ConfigureAwait(false);
            var done = doneMark is null ? null : new DoneLine(output, doneMark);
            var log = new StepLog(done ?? output);
            var logs = PumpAsync(stream, log, container, () => done?.Code.IsCompleted == true, cancellationToken);
            if (done is not null) await FirstWordAsync(() => SendGoAsync(stream, step, doneMark!, cancellationToken), cancellationToken).ConfigureAwait(false);
            else await StartContainerAsync(container, step, cancellationToken).ConfigureAwait(false);
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var wait = WaitForEndAsync(container, step, waitCancel.Token, cancellationToken);
            long status;
            if (done is not null && await Task.WhenAny(done.Code, wait).ConfigureAwait(false) == done.Code)
            {
                // The gate's last line: every process of the step has ended; the engine's own notice is not waited for.
                status = await done.Code.ConfigureAwait(false);
                await waitCancel.CancelAsync().ConfigureAwait(false);
                // Neither is needed any more (the mark was the last line); what they end with is not news.
                Observe(wait);
                Observe(logs);
            }
            else
            {
                status = (await wait.ConfigureAwait(false)).StatusCode;
                var cut = false;
                try { cut = await logs.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
                catch (TimeoutException) { }
                // Its stream was cut while it was silent (a relay's idle timeout), or before it started: the engine's log has the rest.
                if (cut) await ReplayAsync(container, log, cancellationToken).ConfigureAwait(false);
                log.Flush();
                // Killed by a signal before the gate's last line: not the script's own exit code, so say what did it.
                if (done is not null && status is 137 or 143 && await KilledFromOutsideAsync(container, step, status, cancellationToken).ConfigureAwait(false) is { } killed)
                    throw new BuildError(killed);
            }
            if (step.Output is { } result)
            {
                if (!binds) await ReceiveOutputAsync(container, result, cancellationToken).ConfigureAwait(false);
                else await GiveBackAsync(step, cancellationToken).ConfigureAwait(false);
            }
            return status;
        }
        catch (EngineLost lost) when (!cancellationToken.IsCancellationRequested)
        {
            throw await Broken(step, lost).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a container made behind the <see cref="StreamGate"/>: starts it, sends the inputs not sent ahead (on its
    /// standard input, or through the API when the gate says it cannot unpack them), streams its log and brings back the
    /// result folder (on its standard output, or through the API). Null when it does not start (an image without
    /// <c>/bin/sh</c>, noted for the run): the caller runs the step in a plain container instead.
    /// </summary>
    private async Task<long?> StartStreamedAsync(string container, MultiplexedStream stream, BuildStep step, bool sentAhead, string mark, string secret, bool started, IProgress<string> output, CancellationToken cancellationToken)
    {
        var result = step.Output!;
        try
        {
            var done = new DoneLine(output, secret);
            var how = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var archive = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
            var logs = PumpStreamsAsync(stream, done, mark, how, archive.Writer, cancellationToken);
            // Its stream ended before the gate's last line while the container ran on: cut off by a relay.
            var cut = logs.ContinueWith(_ => done.Code.IsCompleted ? Task.FromResult(false) : NotEndedAsync(container, cancellationToken),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
            try
            {
                if (!started) await StartContainerAsync(container, step, cancellationToken).ConfigureAwait(false);
            }
            catch (EnvironmentFault fault) when (fault.InnerException is DockerApiException && !cancellationToken.IsCancellationRequested)
            {
                _noStreams.TryAdd(step.Image, true);
                return null;
            }
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var wait = WaitForEndAsync(container, step, waitCancel.Token, cancellationToken);
            // Observed whatever happens below (a failure sending the inputs leaves it behind, cancelled).
            Observe(wait);
            var late = LateFolders(step, sentAhead);
            var mode = await Task.WhenAny(how.Task, wait).ConfigureAwait(false) == how.Task ? await how.Task.ConfigureAwait(false) : null;
            Task? extracting = null;
            if (mode == "tar")
            {
                var inputs = WriteArchiveAsync(stream, late, $"sending the inputs of {step.Name}", cancellationToken, firstLine: secret);
                if (started) await FirstWordAsync(() => inputs, cancellationToken).ConfigureAwait(false);
                else await inputs.ConfigureAwait(false);
                // Only now: the result folder's starting content went with the inputs, and extracting replaces it.
                extracting = Task.Run(async () =>
                {
                    await using var reader = archive.Reader.AsStream();
                    await StepArchive.ExtractAsync(reader, result.HostPath, cancellationToken).ConfigureAwait(false);
                    // What follows the archive's end (tar's padding) is read to the end, so the log keeps flowing.
                    await reader.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                }, cancellationToken);
            }
            else if (mode == "api")
            {
                if (late.Count > 0) await SendInputsAsync(container, step, late, cancellationToken).ConfigureAwait(false);
                await SendGoAsync(stream, step, secret, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // No word from the gate (it ended, or the engine broke off): its input is closed so nothing waits on it.
                try { stream.CloseWrite(); } catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException) { }
            }
            long status;
            var marked = await Task.WhenAny(done.Code, wait).ConfigureAwait(false) == done.Code;
            if (marked)
            {
                status = await done.Code.ConfigureAwait(false);
                await waitCancel.CancelAsync().ConfigureAwait(false);
            }
            else
            {
                status = (await wait.ConfigureAwait(false)).StatusCode;
                // The log's last lines (an OOM kill's, the gate's own words) are in before anything is said or fetched.
                try { await logs.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
                catch (TimeoutException) { }
                if (extracting is not null)
                {
                    try { await extracting.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { }
                }
                if (status is 137 or 143 && await KilledFromOutsideAsync(container, step, status, cancellationToken).ConfigureAwait(false) is { } killed)
                    throw new BuildError(killed);
                if (mode == "tar" && status == 125 && done.SawUnpackFailure)
                    throw new EnvironmentFault($"The container of {step.Name} on {Address} could not unpack the build's inputs (tar in {step.Image} failed; its words are in the build's log); nothing was built.");
                // These containers keep no log of their own (the result travels on that stream): what came after a cut is lost; say so.
                if (logs.IsCompleted && await cut.ConfigureAwait(false))
                    done.Report($"{GateName}: the connection to the engine was cut while the step was silent (a relay or forward that closes idle " +
                                "connections); what the step printed after that is missing here (on an engine that shares no files with this machine, its containers keep no log).");
            }
            if (extracting is not null && marked)
            {
                try { await extracting.ConfigureAwait(false); }
                catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException)
                {
                    throw new EngineLost(Address, $"the archive of {result.ContainerPath} it sent is cut short ({ex.Message})", ex);
                }
            }
            else
            {
                // No archive on the standard output (the gate ended early, or could not pack one): the API's copy.
                if (extracting is null) await archive.Reader.CompleteAsync().ConfigureAwait(false);
                await ReceiveOutputAsync(container, result, cancellationToken).ConfigureAwait(false);
            }
            try { await logs.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
            catch (TimeoutException) { }
            return status;
        }
        catch (EngineLost lost) when (!cancellationToken.IsCancellationRequested)
        {
            throw await Broken(step, lost).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The streams of a container behind the <see cref="StreamGate"/>: its first line on the standard output says how the
    /// files travel (<paramref name="how"/>), the rest of that stream is the result's archive (<paramref name="archive"/>);
    /// the standard error is the log, its last line the mark.
    /// </summary>
    private static async Task PumpStreamsAsync(MultiplexedStream stream, IProgress<string> output, string mark, TaskCompletionSource<string?> how, PipeWriter archive, CancellationToken cancellationToken)
    {
        var lines = new LineProgress(output);
        var buffer = new byte[1 << 16];
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var first = new List<byte>();
        Exception? failed = null;
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF) break;
                if (read.Target != MultiplexedStream.TargetStream.StandardOut)
                {
                    var n = decoder.GetChars(buffer, 0, read.Count, chars, 0);
                    lines.Report(new string(chars, 0, n));
                    continue;
                }
                var start = 0;
                if (!how.Task.IsCompleted)
                {
                    var nl = Array.IndexOf(buffer, (byte)'\n', 0, read.Count);
                    first.AddRange(buffer.AsSpan(0, nl < 0 ? read.Count : nl).ToArray());
                    if (nl < 0) continue;
                    var line = System.Text.Encoding.UTF8.GetString(first.ToArray());
                    how.TrySetResult(line.StartsWith(mark + " ", StringComparison.Ordinal) ? line[(mark.Length + 1)..] : null);
                    start = nl + 1;
                }
                if (start < read.Count)
                {
                    var flushed = await archive.WriteAsync(buffer.AsMemory(start, read.Count - start), cancellationToken).ConfigureAwait(false);
                    if (flushed.IsCompleted) continue; // the reader stopped (no archive wanted): the rest is dropped
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException) { failed = ex; }
        finally
        {
            lines.Flush();
            how.TrySetResult(null);
            await archive.CompleteAsync(failed is null ? null : new EndOfStreamException($"the container's output ended: {failed.Message}", failed)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Folders as one tar archive written on a container's standard input, which is then closed. A fault reading our
    /// files is told as ours (the writer's), not as the engine breaking off.
    /// </summary>
    /// <param name="firstLine">A line the reader takes before the archive (the stream gate's mark).</param>
    private async Task WriteArchiveAsync(MultiplexedStream stream, IReadOnlyList<(string HostPath, string ContainerPath)> folders, string doing, CancellationToken cancellationToken,
        string? firstLine = null)
    {
        var (reader, writing) = Archive(folders, cancellationToken);
        var buffer = new byte[1 << 16];
        try
        {
            if (firstLine is not null)
            {
                var line = System.Text.Encoding.UTF8.GetBytes(firstLine + "\n");
                await CallAsync(() => stream.WriteAsync(line, 0, line.Length, cancellationToken), doing, cancellationToken).ConfigureAwait(false);
            }
            await using (reader)
            {
                while (true)
                {
                    int n;
                    try { n = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
                    catch when (writing.IsFaulted) { break; }
                    if (n == 0) break;
                    await CallAsync(() => stream.WriteAsync(buffer, 0, n, cancellationToken), doing, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // The engine broke off (or the run was cancelled): the writer stops at its next write (the reader is gone).
            Observe(writing);
            throw;
        }
        await writing.ConfigureAwait(false);
        await CallAsync(() => { stream.CloseWrite(); return Task.CompletedTask; }, doing, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The folders as one tar archive, written by a task of its own while the returned stream is read.</summary>
    private static (Stream Reader, Task Writing) Archive(IReadOnlyList<(string HostPath, string ContainerPath)> folders, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            await using var writer = pipe.Writer.AsStream();
            try { await StepArchive.WriteAsync(folders, writer, cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) { await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false); throw; }
        }, cancellationToken);
        return (pipe.Reader.AsStream(), writing);
    }

    private Task StartContainerAsync(string container, BuildStep step, CancellationToken cancellationToken) =>
        CallAsync(() => Client.Containers.StartContainerAsync(container, new ContainerStartParameters(), cancellationToken),
            $"starting the container for {step.Name} (image {step.Image})", cancellationToken);

    /// <summary>The line a gate waits for before it runs the command: "go" and the mark of its last line.</summary>
    private Task SendGoAsync(MultiplexedStream stream, BuildStep step, string mark, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            var go = System.Text.Encoding.UTF8.GetBytes($"go {mark}\n");
            // The standard input stays open: a relay such as socat ends a connection half a second after one direction
            // closes, and the gate reads nothing after this line (the script's standard input is /dev/null).
            await stream.WriteAsync(go, 0, go.Length, cancellationToken).ConfigureAwait(false);
        }, $"starting the build of {step.Name} in its container", cancellationToken);

    /// <summary>A task whose end no one waits for any more: its exception (if any) is observed, not left to the finalizer.</summary>
    private static void Observe(Task task) =>
        _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Why a step's whole container ended on a signal: out of memory, removed, or stopped from outside the build.</summary>
    private async Task<string?> KilledFromOutsideAsync(string container, BuildStep step, long status, CancellationToken cancellationToken)
    {
        var signal = status == 137 ? "SIGKILL" : "SIGTERM";
        try
        {
            var inspected = await CallAsync(() => Client.Containers.InspectContainerAsync(container, cancellationToken), $"inspecting the container of {step.Name}", cancellationToken).ConfigureAwait(false);
            return inspected.State?.OOMKilled == true
                ? $"The container of {step.Name} on {Address} was killed for lack of memory (the engine's OOM killer) while its build script ran; nothing was built. Give the engine more memory, or build with less at once (--parallel)."
                : $"The container of {step.Name} on {Address} was stopped from outside the build ({signal}: docker kill or stop, or the engine shutting down) while its build script ran; nothing was built.";
        }
        catch (EnvironmentFault fault) when (fault.InnerException is DockerApiException { StatusCode: System.Net.HttpStatusCode.NotFound })
        {
            return $"The container of {step.Name} on {Address} was removed from outside the build (docker rm -f, or a cleanup) while its build script ran; nothing was built.";
        }
        catch (Exception ex) when (ex is EnvironmentFault or EngineLost && !cancellationToken.IsCancellationRequested)
        {
            return $"The container of {step.Name} on {Address} ended on {signal} from outside its build script (the engine did not say why: {ex.Message}); nothing was built.";
        }
    }

    /// <summary>The deferred inputs and the output folder's starting content, with the other inputs unless they were sent at the prepare.</summary>
    private async Task SendLateAsync(string container, BuildStep step, bool sentAhead, CancellationToken cancellationToken)
    {
        var late = LateFolders(step, sentAhead);
        if (late.Count == 0) return;
        try { await SendInputsAsync(container, step, late, cancellationToken).ConfigureAwait(false); }
        catch (EngineLost lost) when (!cancellationToken.IsCancellationRequested)
        {
            throw await Broken(step, lost).ConfigureAwait(false);
        }
    }

    private static List<(string HostPath, string ContainerPath)> LateFolders(BuildStep step, bool sentAhead)
    {
        var late = step.Inputs.Where(i => i.Deferred || !sentAhead).Select(i => (i.HostPath, i.ContainerPath)).ToList();
        if (step.Output is { } o) late.Add((o.HostPath, o.ContainerPath));
        return late;
    }

    /// <summary>Queues the removal of a container no longer needed (its step is over); <see cref="FlushAsync"/> waits for it.</summary>
    private void RemoveLater(string container)
    {
        lock (_removals) _removals.Add(RemoveAsync(container));
    }

    /// <summary>A created container, waiting for its start; removed however its step ends.</summary>
    private sealed class PreparedContainer(DockerRunner engine, BuildStep step, string container, bool binds, bool sentAhead, MultiplexedStream stream) : IPreparedStep
    {
        private int _state; // 0 prepared, 1 ran (its removal is queued or done)
        private bool _sent;

        public string Container => container;

        /// <summary>
        /// Made and started early, its command behind the <see cref="Gate"/>: the mark of the gate's last line (null for a
        /// plain container; one that failed to start early is disposed, never run).
        /// </summary>
        public string? DoneMark { get; init; }

        /// <summary>Behind the <see cref="StreamGate"/>: the mark of its first line (in its command line, unlike <see cref="DoneMark"/>).</summary>
        public string? FirstLineMark { get; init; }

        /// <summary>Behind the <see cref="StreamGate"/>: its files travel on its standard streams.</summary>
        public bool Streamed { get; init; }

        /// <summary>Started at its prepare: its gate waits for the run (a streamed one, for its inputs).</summary>
        public bool StartedEarly { get; set; }

        public async Task CompleteInputsAsync(CancellationToken cancellationToken)
        {
            // Behind the stream gate the inputs go on its standard input when it runs, in one archive with the rest.
            if (binds || Streamed || _sent || Volatile.Read(ref _state) != 0) return;
            await engine.SendLateAsync(container, step, sentAhead, cancellationToken).ConfigureAwait(false);
            _sent = true;
        }

        public async Task<long> RunAsync(IProgress<string> output, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _state, 1) != 0) throw new InvalidOperationException("A prepared step runs once.");
            try
            {
                long exitCode;
                if (Streamed)
                {
                    long? streamed;
                    using (stream) streamed = await engine.StartStreamedAsync(container, stream, step, sentAhead, FirstLineMark!, DoneMark!, StartedEarly, output, cancellationToken).ConfigureAwait(false);
                    if (streamed is not { } code)
                    {
                        // It would not start behind the gate (no /bin/sh): a plain container, its files through the API.
                        await engine.RemoveAsync(container).ConfigureAwait(false);
                        await using var plain = await engine.PrepareCreatedAsync(step, binds: false, Launch.Plain, cancellationToken).ConfigureAwait(false);
                        return await plain.RunAsync(output, cancellationToken).ConfigureAwait(false);
                    }
                    exitCode = code;
                }
                else using (stream) exitCode = await engine.StartAsync(container, stream, step, binds, _sent, sentAhead, DoneMark, output, cancellationToken).ConfigureAwait(false);
                // Done: what the step made is back, so removing the exited container need not hold the engine's slot.
                engine.RemoveLater(container);
                return exitCode;
            }
            catch (EarlyStartCutOff)
            {
                // Its script never ran (the gate held it): the step runs in a new container, started now and spoken to at once.
                await engine.RemoveAsync(container).ConfigureAwait(false);
                await using var fresh = await engine.PrepareCreatedAsync(step, binds, Streamed ? Launch.Streamed : Launch.Plain, cancellationToken).ConfigureAwait(false);
                return await fresh.RunAsync(output, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Failed or cancelled (Ctrl-C, SIGTERM): the container goes now, before the caller hears of it.
                await engine.RemoveAsync(container).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Not run (its requires failed, the run stopped, the engine moved): the container goes, off the caller's path.</summary>
        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _state, 1) == 0)
            {
                stream.Dispose();
                engine.RemoveLater(container);
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Waits until the containers of finished steps are removed.</summary>
    public async Task FlushAsync()
    {
        Task[] pending;
        lock (_removals)
        {
            pending = [.. _removals];
            _removals.Clear();
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Removes a container even when the caller was cancelled, so it gets its own short token; never throws.</summary>
    private async Task RemoveAsync(string id)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException || IsTransport(ex, CancellationToken.None)) { }
    }

    private Dictionary<string, string> Labels(string name) => new()
    {
        [Label] = name,
        [HostLabel] = LocalHost.Identity,
        [RunLabel] = LocalHost.RunId,
        [OwnerLabel] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The step's folders as bind mounts, described field by field (not "host:container:mode" strings, which cannot
    /// hold a path with a colon in it). The engine refuses a source that does not exist rather than making it.
    /// </summary>
    private static List<Mount> MountsOf(BuildStep step)
    {
        var mounts = step.Inputs.Select(i => Bind(i.HostPath, i.ContainerPath, readOnly: !i.Writable)).ToList();
        if (step.Output is { } o) mounts.Add(Bind(o.HostPath, o.ContainerPath, readOnly: false));
        return mounts;
    }

    private static Mount Bind(string source, string target, bool readOnly) => new() { Type = "bind", Source = source, Target = target, ReadOnly = readOnly };

    /// <summary>An engine's refusal of a bind mount because its source folder is not there.</summary>
    private static bool MissingSource(string message, string folder) =>
        message.Contains("bind source path does not exist", StringComparison.OrdinalIgnoreCase) ||
        message.Contains(folder, StringComparison.Ordinal) &&
        (message.Contains("does not exist", StringComparison.OrdinalIgnoreCase) || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase));

    /// <summary>Folders (inputs, the output folder's starting content) as one tar stream extracted at <c>/</c>.</summary>
    private async Task SendInputsAsync(string container, BuildStep step, IReadOnlyList<(string HostPath, string ContainerPath)> folders, CancellationToken cancellationToken)
    {
        var (reader, writing) = Archive(folders, cancellationToken);
        await using (reader)
        {
            try
            {
                await CallAsync(() => Client.Containers.ExtractArchiveToContainerAsync(container, new CopyToContainerParameters { Path = "/" }, reader, cancellationToken),
                    $"sending the inputs of {step.Name}", cancellationToken).ConfigureAwait(false);
            }
            catch when (writing.IsFaulted) { }
        }
        await writing.ConfigureAwait(false);
    }

    private async Task ReceiveOutputAsync(string container, StepOutput output, CancellationToken cancellationToken)
    {
        var archive = await CallAsync(() => Client.Containers.GetArchiveFromContainerAsync(container,
            new ContainerPathStatParameters { Path = output.ContainerPath }, false, cancellationToken), $"fetching {output.ContainerPath}", cancellationToken).ConfigureAwait(false);
        await using var stream = archive.Stream ?? throw new EnvironmentFault($"The Docker engine at {Address} returned no archive for {output.ContainerPath}.");
        // Docker.DotNet's chunked response stream fails small reads at chunk edges (TarReader reads a file's data in
        // pieces): spool the archive through a temporary file, read in large blocks, before extracting it.
        var spool = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output.HostPath))!, $".{Path.GetFileName(output.HostPath)}.{Guid.NewGuid():N}.tar");
        await using var file = Store.FileSystemFault.Guard(spool, "keep the result the engine sends back",
            () => new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous));
        await Store.FileSystemFault.GuardAsync(spool, "keep the result the engine sends back", () => CopyAsync(stream, file, cancellationToken)).ConfigureAwait(false);
        file.Position = 0;
        try { await StepArchive.ExtractAsync(file, output.HostPath, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException)
        {
            throw new EngineLost(Address, $"the archive of {output.ContainerPath} it sent is cut short ({ex.Message})", ex);
        }
    }

    private static async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (true)
        {
            int n;
            try { n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
            catch (EndOfStreamException) { break; }
            if (n == 0) break;
            await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Files a bind-mounted step created belong to the container's root. The invoking user gets them back here, so
    /// callers never see root-owned results (a no-op when that user is root: no second container).
    /// </summary>
    private async Task GiveBackAsync(BuildStep step, CancellationToken cancellationToken)
    {
        if (LocalHost.IsRoot) return;
        var paths = step.Inputs.Where(i => i.Writable).Select(i => i.HostPath).Concat(step.Output is { } o ? [o.HostPath] : []).ToList();
        var inputs = paths.Select((p, i) => new StepInput(p, $"/fix/{i}", Writable: true)).ToList();
        var fix = new BuildStep
        {
            Image = step.Image,
            Command = ["chown", "-R", $"{LocalHost.UserId}:{LocalHost.GroupId}", .. inputs.Select(m => m.ContainerPath)],
            Inputs = inputs,
            Name = "chown",
        };
        await using var prepared = await PrepareCreatedAsync(fix, binds: true, Launch.Plain, cancellationToken).ConfigureAwait(false);
        await prepared.RunAsync(SyncProgress<string>.Ignore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the engine sees our files, found once: a token written into the step's output folder is bind-mounted
    /// into a container that is created but never started, and read back through the API. An engine that does not
    /// share the folder answers "not found" (it would silently mount an empty folder of its own).
    /// </summary>
    private Task<bool> SharesFilesAsync(BuildStep step, CancellationToken cancellationToken) =>
        _sharesFiles is { } known ? Task.FromResult(known)
        : step.Output is not { } output ? Task.FromResult(false)
        : SharesFilesAsync(output.HostPath, step.Image, cancellationToken);

    /// <summary>
    /// Finds out ahead whether the engine sees our files, in <paramref name="folder"/> (a scratch folder of the run,
    /// beside the ones its steps will bind) with a container of <paramref name="image"/>, so the first step's prepare
    /// does not wait for the probe: it ran while the run was still starting. Best effort: when it cannot tell (the
    /// image is not there yet, the engine refuses), the first step probes as before, and any fault is told there.
    /// </summary>
    public async Task WarmAsync(string folder, string image, CancellationToken cancellationToken)
    {
        try { await SharesFilesAsync(folder, image, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is EnvironmentFault or EngineLost or BuildError or IOException or UnauthorizedAccessException or OperationCanceledException) { }
    }

    private async Task<bool> SharesFilesAsync(string folder, string image, CancellationToken cancellationToken)
    {
        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sharesFiles is { } again) return again;
            var token = Guid.NewGuid().ToString("N");
            var file = Path.Combine(folder, $".pkgpanda-probe-{token}");
            await File.WriteAllTextAsync(file, token, cancellationToken).ConfigureAwait(false);
            try
            {
                CreateContainerResponse created;
                try
                {
                    created = await CallAsync(() => Client.Containers.CreateContainerAsync(new CreateContainerParameters
                    {
                        Image = image, Cmd = ["true"], Labels = Labels("probe"), NetworkDisabled = true,
                        HostConfig = new HostConfig { NetworkMode = "none", Mounts = [Bind(folder, ProbeMount, readOnly: true)] },
                    }, cancellationToken), $"creating a probe container from {image}", cancellationToken).ConfigureAwait(false);
                }
                // The folder does not exist where the engine runs: it does not share our files (and makes nothing there).
                catch (EnvironmentFault fault) when (fault.InnerException is DockerApiException { StatusCode: System.Net.HttpStatusCode.BadRequest } refused &&
                                                     MissingSource(ApiMessage(refused), folder))
                {
                    _sharesFiles = false;
                    return false;
                }
                try
                {
                    // "Not found" is the answer (the engine does not see the file); a dead connection is the engine lost.
                    _sharesFiles = await CallAsync(async () =>
                    {
                        try
                        {
                            var archive = await Client.Containers.GetArchiveFromContainerAsync(created.ID,
                                new ContainerPathStatParameters { Path = $"{ProbeMount}/{Path.GetFileName(file)}" }, false, cancellationToken).ConfigureAwait(false);
                            await using var stream = archive.Stream ?? Stream.Null;
                            await using var reader = new TarReader(stream);
                            var entry = await reader.GetNextEntryAsync(copyData: true, cancellationToken).ConfigureAwait(false);
                            using var text = new StreamReader(entry?.DataStream ?? Stream.Null);
                            return await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false) == token;
                        }
                        catch (DockerApiException) { return false; }
                    }, "reading the probe file back", cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    // Every step waits for the answer; none needs to wait for the probe's removal (flushed at the end, as a step's).
                    RemoveLater(created.ID);
                }
            }
            finally { File.Delete(file); }
            return _sharesFiles.Value;
        }
        finally { _probeLock.Release(); }
    }

    /// <summary>
    /// Passes a container's output on until its stream ends. True when it ended cut off: while the engine says the
    /// container has not ended (or not yet started), before the output was known to be complete (<paramref name="complete"/>:
    /// the gate's last line came). A relay closes a stream that idles (socat -T, a proxy's idle timeout) or, like socat,
    /// soon after one direction ends; a plain container's stream, which has no last line, costs one look at its state.
    /// </summary>
    private async Task<bool> PumpAsync(MultiplexedStream stream, StepLog log, string container, Func<bool> complete, CancellationToken cancellationToken)
    {
        try { await CopyOutputAsync(stream, log, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException) { }
        catch (OperationCanceledException) { return false; }
        return !complete() && await NotEndedAsync(container, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Both streams of <paramref name="stream"/> into <paramref name="log"/>, to the stream's end.</summary>
    private static async Task CopyOutputAsync(MultiplexedStream stream, StepLog log, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF) return;
            log.Add(read.Target == MultiplexedStream.TargetStream.StandardError, buffer.AsSpan(0, read.Count));
        }
    }

    /// <summary>
    /// Whether the engine says the container still runs (or has not started yet): a stream of it that ended now was cut
    /// off (a relay's idle timeout), not ended by the container. False when that cannot be asked.
    /// </summary>
    private async Task<bool> NotEndedAsync(string container, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return false;
        try
        {
            var state = (await Client.Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false)).State;
            return state is { Running: true } or { Status: "created" };
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException) { return false; }
    }

    /// <summary>
    /// The rest of an ended container's output, from the engine's own log, after its stream was cut off. An engine
    /// that keeps no log (logging driver "none") or does not answer leaves a line in the log that says so.
    /// </summary>
    private async Task ReplayAsync(string container, StepLog log, CancellationToken cancellationToken)
    {
        log.BeginReplay();
        try
        {
            using var stream = await Client.Containers.GetContainerLogsAsync(container,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = false }, cancellationToken).ConfigureAwait(false);
            await CopyOutputAsync(stream, log, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            log.Note($"{GateName}: the connection to the engine was cut while the step was silent, and its log could not be read from the engine " +
                     $"({(ex is DockerApiException api ? ApiMessage(api) : Cause(ex))}): what the step printed after that is missing here.");
        }
    }

    /// <summary>
    /// Removes containers that a killed earlier run of this machine left behind (SIGKILL gives no chance to clean up):
    /// ours, made on this host, whose run is gone. Other machines' containers on a shared engine are never touched.
    /// </summary>
    public async Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken)
    {
        var list = await CallAsync(() => Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{HostLabel}={LocalHost.Identity}"] = true } },
        }, cancellationToken), "listing containers", cancellationToken).ConfigureAwait(false);
        var removed = 0;
        foreach (var c in list)
        {
            if (!c.Labels.TryGetValue(RunLabel, out var run) || LocalHost.IsRunAlive(run)) continue;
            try
            {
                await Client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true }, cancellationToken).ConfigureAwait(false);
                removed++;
            }
            catch (DockerContainerNotFoundException) { }
            catch (DockerApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict) { }
        }
        return removed;
    }

    // ---- faults -------------------------------------------------------------------------------------------

    /// <summary>
    /// Runs one API call, turning the engine's refusal into an <see cref="EnvironmentFault"/> and a dead connection into
    /// <see cref="EngineLost"/>, each one sentence naming the address and the cause.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, string doing, CancellationToken cancellationToken)
    {
        try { return await call().ConfigureAwait(false); }
        catch (DockerApiException ex)
        {
            throw new EnvironmentFault($"The Docker engine at {Address} refused {doing}: {ApiMessage(ex)}", ex);
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            throw new EngineLost(Address, $"{Cause(ex)} (while {doing})", ex);
        }
        // Something answers there, but not as a Docker engine does (a web server, a proxy's error page): it is not one.
        catch (System.Text.Json.JsonException ex)
        {
            throw new EngineLost(Address, $"its answer is not a Docker engine's (not the JSON the Engine API sends: {ex.Message.Split('.')[0]}) (while {doing}); is {Address} a Docker engine?", ex);
        }
    }

    private async Task CallAsync(Func<Task> call, string doing, CancellationToken cancellationToken) =>
        await CallAsync(async () => { await call().ConfigureAwait(false); return true; }, doing, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The container's end. The wait is one request that stays silent until then, which a relay or SSH forward that
    /// closes idle connections cuts off (socat -T, a proxy's idle timeout) while the container runs on: when the
    /// connection breaks and the engine still answers and says the container runs, the wait is asked again; a
    /// container that ended meanwhile gives its exit code from its state. Only an engine that stops answering is lost.
    /// </summary>
    private async Task<ContainerWaitResponse> WaitForEndAsync(string container, BuildStep step, CancellationToken waitToken, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await CallAsync(() => Client.Containers.WaitContainerAsync(container, waitToken), $"waiting for {step.Name}", cancellationToken).ConfigureAwait(false);
            }
            catch (EngineLost) when (!waitToken.IsCancellationRequested)
            {
                var state = (await CallAsync(() => Client.Containers.InspectContainerAsync(container, waitToken), $"looking at {step.Name} after its wait broke off",
                    cancellationToken).ConfigureAwait(false)).State;
                if (state is { Running: false, Status: "exited" or "dead" })
                    return new ContainerWaitResponse { StatusCode = state.ExitCode };
                await Task.Delay(100, waitToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A broken or refused connection, not a cancellation the caller asked for.</summary>
    private static bool IsTransport(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or IOException or SocketException or TimeoutException
        || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// The innermost message: "Connection refused", not the layers of HTTP plumbing around it. When that is not a
    /// transport's own words (a parser's "Sequence contains no elements" on an answer cut off, a wrapper's "see inner
    /// exception"), the cause is said plainly instead.
    /// </summary>
    private static string Cause(Exception ex)
    {
        if (ex is OperationCanceledException) return "no answer in time";
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner is HttpRequestException or IOException or SocketException or TimeoutException &&
               !inner.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase)
            ? inner.Message.TrimEnd('.')
            : "the connection closed before the engine's answer was complete";
    }

    /// <summary>The engine's own sentence from the JSON body (<c>{"message": ...}</c>), not Docker.DotNet's wrapper text.</summary>
    private static string ApiMessage(DockerApiException ex)
    {
        try
        {
            using var doc = JsonDocument.Parse(ex.ResponseBody ?? "");
            if (doc.RootElement.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 } text) return text;
        }
        catch (JsonException) { }
        return string.IsNullOrWhiteSpace(ex.ResponseBody) ? $"HTTP {(int)ex.StatusCode}" : ex.ResponseBody.Trim();
    }

    private static (string Repo, string Tag) SplitTag(string image)
    {
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    public void Dispose()
    {
        // Removals still under way finish first (each is bounded by its own 10 s token).
        FlushAsync().GetAwaiter().GetResult();
        if (_lazyClient.IsValueCreated) Client.Dispose();
        _probeLock.Dispose();
    }

    /// <summary>
    /// The lines of a step behind the <see cref="Gate"/>: passed on, except its last, "&lt;mark&gt; &lt;exit code&gt;"
    /// (after whatever the step printed without a newline), which gives <see cref="Code"/>.
    /// </summary>
    private sealed class DoneLine(IProgress<string> lines, string mark) : IProgress<string>
    {
        private readonly TaskCompletionSource<long> _code = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<long> Code => _code.Task;

        /// <summary>The stream gate said it could not unpack the inputs.</summary>
        public bool SawUnpackFailure { get; private set; }

        public void Report(string value)
        {
            var at = value.LastIndexOf(mark, StringComparison.Ordinal);
            if (at >= 0 && value.Length > at + mark.Length + 1 && value[at + mark.Length] == ' ' &&
                long.TryParse(value.AsSpan(at + mark.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                if (at > 0) lines.Report(value[..at]);
                _code.TrySetResult(code);
                return;
            }
            if (value.StartsWith(GateName + ": the inputs could not be unpacked", StringComparison.Ordinal)) SawUnpackFailure = true;
            lines.Report(value);
        }
    }
}
