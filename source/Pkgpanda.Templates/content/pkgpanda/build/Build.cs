using Pkgpanda.Targets;
using Pkgpanda.Targets.Components;

/// <summary>
/// This repository's build: pkgpanda's targets (Setup, Resolve, Fetch, Hash, Build, Pack, Publish) and parameters
/// come from the component. Add targets of your own (they may depend on ours: .DependsOn(Build)); override a
/// parameter's default in a constructor (e.g. BuilderImage = "..."). ./build.sh --help lists them all.
/// </summary>
[GitHubActions("ci", InvokedTargets = ["Hash"], PackageTargets = ["Build"], PackageTree = "packages", AptPackages = ["busybox-static"])]
class Build : PkgpandaBuild
{
    public static int Main() => Execute<Build>(x => x.Hash);
}
