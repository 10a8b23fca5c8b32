using Pkgpanda.Targets;

/// <summary>
/// The user interface: each target is a few lines that delegate to Pkgpanda.Core.
/// Read top to bottom, this is the table of contents of what the tool does.
/// NUKE projects call this class <c>Build</c>; ours is named after pkgpanda's CLI because its main target is
/// <c>Build</c> and C# forbids a member named like its class.
/// </summary>
[GitHubActions("ci", InvokedTargets = ["Test"], PackageTargets = ["Build"], PackageTree = "examples/packages",
    AptPackages = ["busybox-static", "nginx-light", "chromium", "graphviz"])]
partial class Mkpanda : NukeBuild
{
    public static int Main() => Execute<Mkpanda>(x => x.Hash);

    [Parameter("The package tree (folder of packages)")] readonly string PackagesDir = "examples/packages";
    [Parameter("Build only this package (and what it requires)")] readonly string? Package;
    [Parameter("The variant of --package (default: the default variant)")] readonly string? Variant;
    [Parameter("Only this tree variant (default: all)")] readonly string? TreeVariant;
    [Parameter("The image used when a buildinfo names no 'docker'")] readonly string BuilderImage = "dcos/dcos-builder:dcos-builder_dockerdir-latest";
    [Parameter("The Docker engine (default: DOCKER_HOST or the local socket)")] readonly string? DockerHost;
    [Parameter("Write the resolved plan as JSON to this file")] readonly string? PlanJson;
    [Parameter("How many packages build at once (default: the number of cores)")] readonly int Parallel = Environment.ProcessorCount;
    [Parameter("Keep building what does not depend on a failed package; rerun skips what succeeded")] readonly bool Continue;
    [Parameter("Give build containers network access (off by default: builds are hermetic)")] readonly bool AllowNetwork;
    [Parameter("Keep a failed build's src/, result/ and install/ under cache/failed/<id> (pkgpanda's --dont-clean-after-build)")] readonly bool KeepFailed;
    [Parameter("Share built packages: http(s)://..., file://... or a folder (pkgpanda's layout)")] readonly string? RepositoryUrl;
    [Parameter("Bearer token for --repository-url (default: $PKGPANDA_REPOSITORY_TOKEN); never printed")] readonly string? RepositoryToken;

    Target Setup => _ => _
        .Description("Provision the Docker engine and the builder images")
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
        .Executes(async () => Reports.Ids(Graph, await Ids.ComputeAvailableAsync(Graph, CancellationToken), Cache, PlanJson));

    Target Build => _ => _
        .Description("Build the selected packages (and what they require) in containers")
        .DependsOn(Hash)
        .Executes(async () => Reports.Built(await BuildPackages()));

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
}
