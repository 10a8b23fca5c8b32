using Pkgpanda.Core;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Targets.Components;

/// <summary>
/// The pkgpanda build as a reusable component (NUKE's <c>Nuke.Components</c> idea, as a base class): the targets and
/// parameters of a pkgpanda front end, each target a few lines that delegate to Pkgpanda.Core. A consumer's whole build:
/// <code>
/// class Build : PkgpandaBuild
/// {
///     public static int Main() => Execute&lt;Build&gt;(x => x.Hash);
/// }
/// </code>
/// Its own targets may depend on ours (<c>.DependsOn(Build)</c>); a target is replaced by overriding its property,
/// and a parameter's default by assigning it in the constructor (the command line, environment and
/// <c>.nuke/parameters.json</c> still win).
/// </summary>
public abstract partial class PkgpandaBuild : NukeBuild
{
    [Parameter("The package tree (folder of packages)", Value = "a folder", IsPath = true)] public string PackagesDir { get; set; } = "packages";
    [Parameter("Build only this package (and what it requires)", Value = "a package name")] public string? Package { get; set; }
    [Parameter("The variant of --package (default: the default variant)", Value = "a variant name")] public string? Variant { get; set; }
    [Parameter("Only this tree variant (default: all)", Value = "a tree variant name")] public string? TreeVariant { get; set; }
    [Parameter("The image used when a buildinfo names no 'docker'")] public string BuilderImage { get; set; } = "dcos/dcos-builder:dcos-builder_dockerdir-latest";
    [Parameter("The Docker engines to build on, one or more: unix:///var/run/docker.sock tcp://build-2:2376 (#N after one: run at most N there at once; default: as many as it has CPUs). Default: DOCKER_HOST or the local socket", Value = "one or more engine addresses")] public string[]? DockerHost { get; set; }
    [Parameter("Client certificates for tcp:// engines started with dockerd --tlsverify: a folder with ca.pem, cert.pem, key.pem (the docker CLI's; default: ~/.docker when DOCKER_TLS_VERIFY is set)", Value = "a folder", IsPath = true)] public string? DockerCertPath { get; set; }
    [Parameter("Write the resolved plan as JSON to this file", Value = "a file name", IsPath = true)] public string? PlanJson { get; set; }
    [Parameter("How many packages build at once, in total (default: the CPUs the engines report)", Value = "a number of packages (at least 1)")] public int? Parallel { get; set; }
    [Parameter("Keep building what does not depend on a failed package; rerun skips what succeeded")] public bool Continue { get; set; }
    [Parameter("Give build containers network access (off by default: builds are hermetic)")] public bool AllowNetwork { get; set; }
    [Parameter("Keep a failed build's src/, result/ and install/ under cache/failed/<id>")] public bool KeepFailed { get; set; }
    [Parameter("Keep every build's src/, result/ and install/: cache/kept/<id>, or cache/failed/<id> when it failed (pkgpanda's name)")] public bool DontCleanAfterBuild { get; set; }
    [Parameter("With Clean: also remove the package cache (built packages, bootstrap bundles, source caches)")] public bool All { get; set; }
    [Parameter("Share built packages: http(s)://..., file://... or a folder (pkgpanda's layout)", IsPath = true)] public string? RepositoryUrl { get; set; }
    [Parameter("Bearer token for --repository-url (default: $PKGPANDA_REPOSITORY_TOKEN); never printed")] public string? RepositoryToken { get; set; }

    // Setup needs the resolved tree (which builder images to make), and a mistake in the tree is Resolve's to report.
    public virtual Target Setup => _ => _
        .Description("Provision the Docker engines and the builder images")
        .DependsOn(Resolve)
        .Executes(() => Run(Provision));

    public virtual Target Resolve => _ => _
        .Description("Resolve the dependency graph and print the build order")
        .Executes(() => Run(() => Reports.BuildOrder(Graph)));

    public virtual Target Fetch => _ => _
        .Description("Fetch the sources of the selected packages into the cache")
        .DependsOn(Resolve)
        .Executes(() => Run(async () => Reports.Fetched(await Sources.FetchAllAsync(Graph, FetchProgress, CancellationToken))));

    public virtual Target Hash => _ => _
        .Description("Compute package ids without building")
        .DependsOn(Resolve, Setup)
        .Executes(() => Run(async () => Reports.Ids(Graph, await AvailableIds(), Cache, PlanJson)));

    public virtual Target Build => _ => _
        .Description("Build the selected packages (and what they require) in containers")
        .DependsOn(Hash)
        .Executes(() => Run(async () => Reports.Built(await BuildPackages(), Log, CancellationToken)));

    public virtual Target Pack => _ => _
        .Description("Make the bootstrap bundle and complete.latest.json of each tree variant")
        .DependsOn(Build)
        .OnlyWhenDynamic(() => Package == null)
        .Executes(() => Run(async () => Reports.Packed(await PackTrees())));

    public virtual Target Publish => _ => _
        .Description("Upload the packages, bootstrap bundles and complete.latest.json to --repository-url")
        .DependsOn(Pack)
        .Requires(() => RepositoryUrl)
        .Executes(() => Run(async () => Reports.Published(await PublishPackages())));

    public virtual Target Clean => _ => _
        .Description("Remove the build scratch, kept build folders and temporaries; with --all the whole package cache")
        .Before(Setup, Resolve)
        .Executes(() => Run(() => Reports.Cleaned(CacheCleaner.Clean(new PackageCache(PackageStore.CacheDirOf(PackagesPath)), All), All)));

    protected internal override bool IsUserError(Exception exception) => BuildError.IsExpected(exception);
}
