using Pkgpanda.Core.Building;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;
using Pkgpanda.Targets;

/// <summary>
/// The user interface: each target is a few lines that delegate to Pkgpanda.Core.
/// Read top to bottom, this is the table of contents of what the tool does.
/// NUKE projects call this class <c>Build</c>; ours is named after pkgpanda's CLI because its main target is
/// <c>Build</c> and C# forbids a member named like its class.
/// </summary>
[GitHubActions("ci", InvokedTargets = ["Test"], PackageTargets = ["Build"], PackageTree = "examples/packages",
    AptPackages = ["busybox-static", "nginx-light", "chromium", "graphviz", "tmux"])]
partial class Mkpanda : NukeBuild
{
    public static int Main() => Execute<Mkpanda>(x => x.Hash);

    [Parameter("The package tree (folder of packages)", Value = "a folder")] readonly string PackagesDir = "examples/packages";
    [Parameter("Build only this package (and what it requires)", Value = "a package name")] readonly string? Package;
    [Parameter("The variant of --package (default: the default variant)", Value = "a variant name")] readonly string? Variant;
    [Parameter("Only this tree variant (default: all)", Value = "a tree variant name")] readonly string? TreeVariant;
    [Parameter("The image used when a buildinfo names no 'docker'")] readonly string BuilderImage = "dcos/dcos-builder:dcos-builder_dockerdir-latest";
    [Parameter("The Docker engines to build on, one or more: unix:///var/run/docker.sock tcp://build-2:2376 (#N after one: run at most N there at once; default: as many as it has CPUs). Default: DOCKER_HOST or the local socket", Value = "one or more engine addresses")] readonly string[]? DockerHost;
    [Parameter("Write the resolved plan as JSON to this file", Value = "a file name")] readonly string? PlanJson;
    [Parameter("How many packages build at once, in total (default: the CPUs the engines report)", Value = "a number of packages (at least 1)")] readonly int? Parallel;
    [Parameter("Keep building what does not depend on a failed package; rerun skips what succeeded")] readonly bool Continue;
    [Parameter("Give build containers network access (off by default: builds are hermetic)")] readonly bool AllowNetwork;
    [Parameter("Keep a failed build's src/, result/ and install/ under cache/failed/<id>")] readonly bool KeepFailed;
    [Parameter("Keep every build's src/, result/ and install/: cache/kept/<id>, or cache/failed/<id> when it failed (pkgpanda's name)")] readonly bool DontCleanAfterBuild;
    [Parameter("With Clean: also remove the package cache (built packages, bootstrap bundles, source caches)")] readonly bool All;
    [Parameter("Share built packages: http(s)://..., file://... or a folder (pkgpanda's layout)")] readonly string? RepositoryUrl;
    [Parameter("Bearer token for --repository-url (default: $PKGPANDA_REPOSITORY_TOKEN); never printed")] readonly string? RepositoryToken;

    // Setup needs the resolved tree (which builder images to make), and a mistake in the tree is Resolve's to report.
    Target Setup => _ => _
        .Description("Provision the Docker engines and the builder images")
        .DependsOn(Resolve)
        .Executes(Provision);

    Target Resolve => _ => _
        .Description("Resolve the dependency graph and print the build order")
        .Executes(() => Reports.BuildOrder(Graph));

    Target Fetch => _ => _
        .Description("Fetch the sources of the selected packages into the cache")
        .DependsOn(Resolve)
        .Executes(async () => Reports.Fetched(await Sources.FetchAllAsync(Graph, FetchProgress, CancellationToken)));

    Target Hash => _ => _
        .Description("Compute package ids without building")
        .DependsOn(Resolve, Setup)
        .Executes(async () => Reports.Ids(Graph, await AvailableIds(), Cache, PlanJson));

    Target Build => _ => _
        .Description("Build the selected packages (and what they require) in containers")
        .DependsOn(Hash)
        .Executes(async () => Reports.Built(await BuildPackages(), Log, CancellationToken));

    Target Pack => _ => _
        .Description("Make the bootstrap bundle and complete.latest.json of each tree variant")
        .DependsOn(Build)
        .OnlyWhenDynamic(() => Package == null)
        .Executes(async () => Reports.Packed(await PackTrees()));

    Target Publish => _ => _
        .Description("Upload the packages, bootstrap bundles and complete.latest.json to --repository-url")
        .DependsOn(Pack)
        .Requires(() => RepositoryUrl)
        .Executes(async () => Reports.Published(await PublishPackages()));

    Target Test => _ => _
        .Description("Run the test suite (needs Setup: tests use the real engine)")
        .DependsOn(Setup)
        .Executes(() => TestRunner.RunAsync(RootDirectory, Log, CancellationToken));

    Target Clean => _ => _
        .Description("Remove the build scratch, kept build folders and temporaries; with --all the whole package cache")
        .Before(Setup, Resolve)
        .Executes(() => Reports.Cleaned(CacheCleaner.Clean(new PackageCache(PackageStore.CacheDirOf(PackagesPath)), All), All));
}
