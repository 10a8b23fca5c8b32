using Pkgpanda.Core;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;
using Pkgpanda.Targets;

/// <summary>
/// The user interface: each target is a few lines that delegate to Pkgpanda.Core.
/// Read top to bottom, this is the table of contents of what the tool does.
/// </summary>
partial class Build : NukeBuild
{
    public static int Main() => Execute<Build>(x => x.Hash);

    [Parameter("The package tree (folder of packages)")] readonly string PackagesDir = "examples/packages";
    [Parameter("Build only this package (and what it requires)")] readonly string? Package;
    [Parameter("The variant of --package (default: the default variant)")] readonly string? Variant;
    [Parameter("Only this tree variant (default: all)")] readonly string? TreeVariant;
    [Parameter("The image used when a buildinfo names no 'docker'")] readonly string BuilderImage = "dcos/dcos-builder:dcos-builder_dockerdir-latest";
    [Parameter("The Docker engine (default: DOCKER_HOST or the local socket)")] readonly string? DockerHost;
    [Parameter("Write the resolved plan as JSON to this file")] readonly string? PlanJson;

    Target Setup => _ => _
        .Description("Provision the Docker engine and the builder images")
        .Executes(async () => await Provision());

    Target Resolve => _ => _
        .Description("Resolve the dependency graph and print the build order")
        .Executes(() => Reports.BuildOrder(Graph));

    Target Hash => _ => _
        .Description("Compute package ids without building")
        .DependsOn(Resolve, Setup)
        .Executes(async () => Reports.Ids(Graph, await Plans(), Cache, PlanJson));

    Target Test => _ => _
        .Description("Run the test suite (needs Setup: tests use the real engine)")
        .DependsOn(Setup)
        .Executes(async () => await TestRunner.RunAsync(RootDirectory, Log, CancellationToken));
}
