using Pkgpanda.Targets;
using Pkgpanda.Targets.Components;

/// <summary>
/// This repository's build: the pkgpanda component (Pkgpanda.Targets.Components.PkgpandaBuild, the same one a
/// `dotnet new pkgpanda` scaffold uses) plus the target that runs our own test suite.
/// NUKE projects call this class <c>Build</c>; ours is named after pkgpanda's CLI.
/// </summary>
[GitHubActions("ci", InvokedTargets = ["Test"], PackageTargets = ["Build"], PackageTree = "examples/packages",
    AptPackages = ["busybox-static", "nginx-light", "chromium", "graphviz", "tmux"])]
sealed class Mkpanda : PkgpandaBuild
{
    public static int Main() => Execute<Mkpanda>(x => x.Hash);

    /// <summary>Our example tree; a DC/OS checkout keeps the component's default, <c>packages</c>.</summary>
    public Mkpanda() => PackagesDir = "examples/packages";

    Target Test => _ => _
        .Description("Run the test suite (needs Setup: tests use the real engine)")
        .DependsOn(Setup)
        .Executes(() => TestRunner.RunAsync(RootDirectory, Log, CancellationToken));
}
