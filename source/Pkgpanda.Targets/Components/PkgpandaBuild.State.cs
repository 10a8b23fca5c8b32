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
    DockerRunner? _docker;
    SourceFetchService? _sources;
    IReadOnlyDictionary<PackageKey, PackagePlan>? _plans;
    IRepository? _repository;
    PackageDownloader? _downloader;
    IReadOnlyList<BootstrapResult> _packed = [];

    /// <summary>The tree: a path from the command line is already absolute; a default or parameters.json value is relative to the root.</summary>
    protected string PackagesPath => Path.GetFullPath(PackagesDir, RootDirectory);

    protected PackageStore Store => _store ??= LoadStore();

    protected PackageGraph Graph => _graph ??= new Selection(Package, Variant, TreeVariant).Resolve(Store);

    protected PackageCache Cache => new(Store.CacheDir);

    protected DockerRunner Docker => _docker ??= new DockerRunner(DockerRunner.ResolveEndpoint(DockerHost));

    protected SourceFetchService Sources => _sources ??= new SourceFetchService(new SourceFetchers(Store.CacheDir));

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
        var upstream = Upstream.PrepareAsync(PackagesPath, null, FetchProgress, CancellationToken).GetAwaiter().GetResult();
        return PackageStore.Load(PackagesPath, upstream is null ? null : [upstream]);
    }

    IdBuilder Ids => new(Sources.Fetchers, Docker, BuilderImage);

    async Task<IReadOnlyDictionary<PackageKey, PackagePlan>> Plans() => _plans ??= await Ids.ComputeAsync(Graph, CancellationToken);

    async Task Provision()
    {
        await new EngineProvisioner(Docker, TemporaryDirectory, Info).EnsureEngineAsync(CancellationToken);
        var (id, created) = await DefaultBuilderImage.EnsureAsync(Docker, BuilderImage, CancellationToken);
        Log.Information(created ? $"Created builder image {BuilderImage} ({id[..19]})" : $"Builder image {BuilderImage} is present ({id[..19]})");
        var used = Graph.Order.Select(k => Graph[k].Docker ?? BuilderImage).ToHashSet();
        var builders = await BuilderImages.EnsureAsync(Docker, Store.Builders, used, Info, CancellationToken);
        if (builders.Built.Count > 0) Log.Information($"Built package builder images: {string.Join(", ", builders.Built)}");
        foreach (var (package, reason) in builders.Failed)
            Log.Warning($"The builder image of {package} cannot be built: {reason}");
    }

    async Task<BuildSummary> BuildPackages()
    {
        var plans = await Plans();
        var times = new BuildTimes(Cache);
        var expected = Graph.Order.ToDictionary(k => k, k => Cache.Contains(plans[k].Id) ? TimeSpan.Zero : times.Read(k));
        var progress = new BuildProgress(Log, Graph, new BuildEstimate(Graph, expected, Parallel), live: !Console.IsOutputRedirected && !IsServerBuild);
        var context = new BuildContext
        {
            Cache = Cache, Runner = Docker, Sources = Sources, Events = progress, Network = AllowNetwork, KeepFailed = KeepFailed,
            TryDownload = Downloader is { } d ? d.TryDownloadAsync : null,
        };
        return await progress.RunAsync(() => TreeBuild.RunAsync(Graph, plans, context, new SchedulerOptions(Parallel, Continue), CancellationToken));
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
