using Pkgpanda.Core;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;
using Pkgpanda.Targets;

/// <summary>What the targets share: the loaded tree, the selection's graph, the engine. Loaded once, on first use.</summary>
partial class Build
{
    PackageStore? _store;
    PackageGraph? _graph;
    DockerRunner? _docker;
    IReadOnlyDictionary<PackageKey, PackagePlan>? _plans;

    string PackagesPath => Path.GetFullPath(PackagesDir, RootDirectory);

    PackageStore Store => _store ??= PackageStore.Load(PackagesPath);

    PackageGraph Graph => _graph ??= new Selection(Package, Variant, TreeVariant).Resolve(Store);

    PackageCache Cache => new(Store.CacheDir);

    DockerRunner Docker => _docker ??= new DockerRunner(DockerRunner.ResolveEndpoint(DockerHost));

    async Task<IReadOnlyDictionary<PackageKey, PackagePlan>> Plans() =>
        _plans ??= await new IdBuilder(new SourceFetchers(Store.CacheDir), Docker, BuilderImage).ComputeAsync(Graph, CancellationToken);

    IProgress<string> Info => new LogProgress(Log.Information);

    async Task Provision()
    {
        await new EngineProvisioner(Docker, TemporaryDirectory, Info).EnsureEngineAsync(CancellationToken);
        var (id, created) = await DefaultBuilderImage.EnsureAsync(Docker, BuilderImage, CancellationToken);
        Log.Information(created ? $"Created builder image {BuilderImage} ({id[..19]})" : $"Builder image {BuilderImage} is present ({id[..19]})");
        var built = await BuilderImages.EnsureAsync(Docker, Store.Builders, Info, CancellationToken);
        if (built.Count > 0) Log.Information($"Built package builder images: {string.Join(", ", built)}");
    }

    protected override bool IsUserError(Exception exception) => exception is BuildError;
}
