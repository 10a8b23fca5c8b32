using Pkgpanda.Core;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Repositories;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Targets.Components;

/// <summary>What the targets share: the loaded tree, the selection's graph, the engine. Loaded once, on first use.</summary>
public abstract partial class PkgpandaBuild
{
    PackageStore? _store;
    PackageGraph? _graph;
    IReadOnlyList<EngineAddress>? _addresses;
    List<DockerRunner>? _runners;
    EnginePool? _pool;
    SourceFetchService? _sources;
    IReadOnlyDictionary<PackageKey, PackagePlan>? _plans;
    IRepository? _repository;
    PackageDownloader? _downloader;
    IReadOnlyList<BootstrapResult> _packed = [];
    FileHashCache? _hashes;
    EngineProbe? _probe;
    FileLock? _runLock;

    /// <summary>The tree: a path from the command line is already absolute; a default or parameters.json value is relative to the root.</summary>
    protected string PackagesPath => Path.GetFullPath(PackagesDir, RootDirectory);

    protected PackageStore Store => _store ??= LoadStore();

    protected PackageGraph Graph => _graph ??= ResolveAndHold();

    PackageGraph ResolveAndHold()
    {
        var graph = new Selection(Package, Variant, TreeVariant).Resolve(Store);
        BuildScripts.CheckExist(graph);
        HoldCache();
        return graph;
    }

    protected PackageCache Cache => new(Store.CacheDir);

    IReadOnlyList<EngineAddress> EngineAddresses => _addresses ??= EngineAddress.ParseAll(DockerHost);

    List<DockerRunner> Runners => _runners ??= OpenRunners(EngineTls.Resolve(DockerCertPath));

    // One EngineTls for the run: the certificate files are read once, for the first tcp:// engine.
    List<DockerRunner> OpenRunners(EngineTls? tls) => EngineAddresses.Select(a => new DockerRunner(a.Endpoint, tls)).ToList();

    /// <summary>The engine images are made on and package ids' image ids come from: the pool's first, once Setup opened it.</summary>
    protected DockerRunner Docker => (DockerRunner?)_pool?.Primary.Images ?? Runners[0];

    /// <summary>Image ids over a plain socket request; the Docker client is made only when something is created, built or run.</summary>
    EngineProbe? Probe => _probe ??= EngineProbe.For(EngineAddresses[0].Endpoint, () => Docker);

    /// <summary>The first engine named, unless the pool opened without it (then its first engine that answered).</summary>
    IImageResolver Images => _pool is { } pool && pool.Primary.Address != EngineAddresses[0].Address ? pool.Primary.Images : Probe ?? (IImageResolver)Docker;

    protected SourceFetchService Sources => _sources ??= new SourceFetchService(new SourceFetchers(Store.CacheDir,
        new FetchOptions { GeneratedFiles = GeneratedFiles.PathsOf(this) }));

    Reports Reports => new(Log);

    IProgress<string> Info => new SyncProgress<string>(Log.Information);

    IProgress<FetchEvent> FetchProgress => new FetchLog(Log);

    IProgress<RepositoryEvent> RepositoryEvents => new RepositoryLog(Log);

    IRepository? Repository => RepositoryUrl is null ? null : _repository ??= PackageRepository.Open(RepositoryUrl,
        RepositoryToken ?? Environment.GetEnvironmentVariable(PackageRepository.TokenVariable),
        new RepositoryOptions { BaseDirectory = RootDirectory, Events = RepositoryEvents });

    /// <summary>One per run, so an unreachable repository is reported once, not per package.</summary>
    PackageDownloader? Downloader => Repository is { } r ? _downloader ??= new PackageDownloader(r, Cache, RepositoryEvents) : null;

    /// <summary>An upstream.json adds the packages of another tree; it is checked out before the tree loads.</summary>
    PackageStore LoadStore()
    {
        // The upstream checkout is written into the cache; a plain tree is held only once its graph resolves, so a mistake in it writes nothing.
        if (File.Exists(Path.Combine(PackagesPath, Upstream.FileName))) HoldCache();
        var upstream = Upstream.PrepareAsync(PackagesPath, null, FetchProgress, CancellationToken).GetAwaiter().GetResult();
        var store = PackageStore.Load(PackagesPath, upstream is null ? null : [upstream]);
        foreach (var warning in store.Warnings) Log.Warning(warning);
        return store;
    }

    /// <summary>
    /// Every run that loads the tree holds its cache shared until the process ends, so Clean knows a run is live
    /// (and waits here while a Clean --all runs). A tree that is missing or read-only is left alone: nothing is written.
    /// </summary>
    void HoldCache()
    {
        if (_runLock is not null || !Directory.Exists(PackagesPath)) return;
        var path = new PackageCache(PackageStore.CacheDirOf(PackagesPath)).RunLockPath;
        try { _runLock = FileLock.AcquireSharedAsync(path, CancellationToken).GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException or Pkgpanda.Core.EnvironmentFault)
        {
            // A read-only cache can still be hashed; a folder where the lock file goes is a mistake worth saying.
            if (Directory.Exists(path))
                Log.Warning($"{PackageStore.Shown(path)} is a folder, where the run's lock file goes: this run holds no lock, so Clean --all cannot tell it uses the cache. Remove the folder.");
        }
    }

    /// <summary>The sha1 of unchanged build scripts, extra/ and docker/ files is not read again (it never changes an id).</summary>
    FileHashCache Hashes => _hashes ??= FileHashCache.Open(Path.Combine(Store.CacheDir, "file-hashes"));

    IdBuilder Ids => new(Sources.Fetchers, Images, BuilderImage, Hashes);

    async Task<IReadOnlyDictionary<PackageKey, PackagePlan>> Plans()
    {
        if (_plans is null)
        {
            _plans = await Ids.ComputeAsync(Graph, CancellationToken);
            Hashes.Save();
        }
        return _plans;
    }

    /// <summary>Hash's ids; when every one could be computed they are Build's too (computing them again cost a 600-package no-op 160 ms).</summary>
    async Task<IdResult> AvailableIds()
    {
        var ids = await Ids.ComputeAvailableAsync(Graph, CancellationToken);
        Hashes.Save();
        if (ids.Unresolved.Count == 0) _plans ??= ids.Plans;
        return ids;
    }

    /// <summary>
    /// Setup: when every engine answers and the first holds every image the selection uses, there is nothing to do
    /// (<see cref="InPlaceAsync"/>), and the pool opens only once a package must be built. Otherwise it starts the
    /// default local engine when it is named and down (never another address), opens the pool (an engine that does
    /// not answer is reported and left out), and makes the builder images once, on the pool's first engine; the
    /// others get copies with the same ids when a package first needs them there.
    /// </summary>
    async Task Provision()
    {
        if (await InPlaceAsync() is { } present)
        {
            Log.Information($"Builder image {BuilderImage} is present ({present[..19]})");
            return;
        }
        foreach (var runner in Runners.Where(r => EngineProvisioner.IsDefaultLocalSocket(r.Address)))
            await new EngineProvisioner(runner, TemporaryDirectory, Info).EnsureEngineAsync(CancellationToken);
        var pool = await OpenPoolAsync();
        var used = UsedImages();
        // An image another engine holds is copied (same id), never made again: a second image would change every id.
        var builderTags = Store.Builders.Where(b => used.Contains(BuilderImages.LatestTag(b.Key)))
            .Select(b => BuilderImages.HashTag(b.Key, Pkgpanda.Core.Hashing.FolderHash.Of(b.Value, Hashes)));
        foreach (var image in used.Concat(builderTags).Order(StringComparer.Ordinal))
            if (await pool.BringToPrimaryAsync(image, CancellationToken) is { } from)
                Log.Information($"Copied {image} from {from} to {pool.Primary.Address}");
        // Only the default tag is made (from busybox) when missing: any other name is the user's image, and a typo or a
        // removed image must not silently become busybox, with new ids for every package.
        if (BuilderImage != DefaultBuilderImage.Tag && await Docker.TryGetImageIdAsync(BuilderImage, CancellationToken) is null)
            throw new BuildError($"--builder-image {BuilderImage}: there is no such image on {Docker.Address}. Load it (docker load) or build it there, " +
                                 $"or leave --builder-image unset to build in the default {DefaultBuilderImage.Tag}, which Setup makes when it is missing.");
        var (id, created) = await DefaultBuilderImage.EnsureAsync(Docker, BuilderImage, CancellationToken);
        Log.Information(created ? $"Created builder image {BuilderImage} ({id[..19]}) on {Docker.Address}" : $"Builder image {BuilderImage} is present ({id[..19]})");
        var builders = await BuilderImages.EnsureAsync(Docker, Store.Builders, used, Info, Hashes, CancellationToken);
        Hashes.Save();
        if (builders.Built.Count > 0) Log.Information($"Built package builder images: {string.Join(", ", builders.Built)}");
        foreach (var (package, reason) in builders.Failed)
            Log.Warning($"The builder image of {package} cannot be built: {reason}");
        // A broken docker/ folder stops the run: an older image under its tag would build as if the folder were not edited.
        if (builders.Broken.Count > 0)
            throw new BuildError(string.Join("\n", builders.Broken.Select(b =>
                $"The builder image of {b.Key} cannot be built: {b.Value}\nFix its docker/ folder: packages using {BuilderImages.LatestTag(b.Key)} are not hashed or built with an image made from other content of it.")));
    }

    /// <summary>The images the selection's packages build in, and the default builder.</summary>
    HashSet<string> UsedImages() => Graph.Order.Select(k => Graph[k].Docker ?? BuilderImage).Append(BuilderImage).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Setup's no-op, checked with one plain request per image over each engine's socket (<see cref="EngineProbe"/>;
    /// no Docker client): every engine answers, and the first, where images are made and ids come from, holds every
    /// image the selection uses, each package builder for its docker/ folder's current content. Returns the default
    /// builder's id then; null when anything is missing or unclear (or an engine is not a local socket), and the full
    /// Setup decides and words what to do.
    /// </summary>
    async Task<string?> InPlaceAsync()
    {
        if (Probe is not { } first) return null;
        var probes = new List<EngineProbe> { first };
        foreach (var address in EngineAddresses.Skip(1))
            if (EngineProbe.For(address.Endpoint, () => Docker) is { } p) probes.Add(p);
            else return null;
        try
        {
            // Every engine answers (the image or "no such image"), or the pool must open to report the one that does not.
            var ids = await Task.WhenAll(probes.Select(p => p.TryGetImageIdAsync(BuilderImage, CancellationToken)));
            if (ids[0] is not { } id) return null;
            // Each image is asked once (the builders' latest tags are among the used images).
            var known = new Dictionary<string, string?>(StringComparer.Ordinal) { [BuilderImage] = id };
            async Task<string?> Lookup(string image, CancellationToken ct) =>
                known.TryGetValue(image, out var found) ? found : known[image] = await first.TryGetImageIdAsync(image, ct);
            var used = UsedImages();
            foreach (var image in used)
                if (await Lookup(image, CancellationToken) is null) return null;
            if (!await BuilderImages.AllInPlaceAsync(Lookup, Store.Builders, used, Hashes, CancellationToken)) return null;
            Hashes.Save();
            return id;
        }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// The engines as named, not asked anything: for a Build with every package cached, where TreeBuild starts no
    /// step and checks no image. (A Docker client per engine is made, but sends nothing.)
    /// </summary>
    EnginePool Unopened() => new(Runners.Select((r, i) => new PoolEngine(r, r, EngineAddresses[i].Capacity ?? 1)).ToList());

    /// <summary>Opens the pool (once): Setup when something must be made or copied, else Build when a package must be built.</summary>
    async Task<EnginePool> OpenPoolAsync()
    {
        if (_pool is not null) return _pool;
        var pool = await EnginePool.OpenAsync(Runners.Select((r, i) => (r, EngineAddresses[i].Capacity)).ToList(),
            new SyncProgress<string>(Log.Warning), CancellationToken);
        if (Runners.Count > 1 || pool.Primary.Address != Runners[0].Address)
            Log.Information($"Engines: {string.Join(", ", pool.Engines.Select(e => $"{e.Address} ({e.Capacity} at once)"))}");
        return _pool = pool;
    }

    async Task<BuildSummary> BuildPackages()
    {
        var plans = await Plans();
        var cached = Graph.Order.Where(k => Cache.Contains(plans[k].Id)).ToHashSet();
        // Nothing to build: no engine is asked anything (the pool stays closed, TreeBuild leaves it alone).
        var pool = cached.Count == Graph.Order.Count && _pool is null ? Unopened() : await OpenPoolAsync();
        var parallel = Parallel ?? pool.Capacity;
        var times = new BuildTimes(Cache);
        var expected = Graph.Order.ToDictionary(k => k, k => cached.Contains(k) ? TimeSpan.Zero : times.Read(k));
        // The live view is for builds: with everything cached there is nothing to watch, and setting it up costs a no-op.
        var progress = new BuildProgress(Log, Graph, new BuildEstimate(Graph, expected, parallel), live: cached.Count < Graph.Order.Count && !Console.IsOutputRedirected && !IsServerBuild && Log.Verbosity >= Verbosity.Normal);
        var context = new BuildContext
        {
            Cache = Cache, Engines = pool, Sources = Sources, Events = progress, Network = AllowNetwork, KeepFailed = KeepFailed, KeepAll = DontCleanAfterBuild,
            TryDownload = Downloader is { } d ? d.TryDownloadAsync : null, Hashes = Hashes,
        };
        var options = new SchedulerOptions(parallel, Continue);
        return await progress.RunAsync(() => TreeBuild.RunAsync(Graph, plans, context, options, CancellationToken));
    }

    async Task<IReadOnlyList<BootstrapResult>> PackTrees()
    {
        var trees = new Selection(null, null, TreeVariant).TreesToPack(Store);
        var plans = await Ids.ComputeAsync(PackageGraph.ForTrees(Store, trees), CancellationToken);
        var bundle = new BootstrapBundle(Cache);
        var results = new List<BootstrapResult>();
        foreach (var tree in trees)
            results.Add(await bundle.PackAsync(Store, tree, plans, Downloader is { } d ? d.TryDownloadBootstrapAsync : null, CancellationToken));
        return _packed = results;
    }

    async Task<PublishResult> PublishPackages()
    {
        var ids = (await Plans()).Values.Select(p => p.Id).Concat(_packed.SelectMany(b => b.Packages)).Distinct();
        var plan = PublishPlan.FromCache(Cache, ids, _packed.Select(r => r.TreeVariant));
        return await new Publisher(Repository!, RepositoryEvents).PublishAsync(plan, CancellationToken);
    }

    /// <summary>Runs a target's work; Core's errors reach the user in this front end's words (flags, not API terms).</summary>
    protected static async Task Run(Func<Task> work)
    {
        try { await work(); }
        catch (Exception ex) when (CommandLineWording.Translate(ex) is { } translated) { throw translated; }
    }

    /// <inheritdoc cref="Run(Func{Task})"/>
    protected static Task Run(Action work) => Run(() => { work(); return Task.CompletedTask; });

    /// <summary>A cancelled run that did not stop in time: remove this process's temporaries and scratch before it exits.</summary>
    protected internal override void OnInterruptTimedOut()
    {
        if (_store is not null) Cache.RemoveAbandoned(pid => pid == Environment.ProcessId);
    }
}
