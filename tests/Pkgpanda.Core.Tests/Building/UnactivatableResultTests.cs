using Pkgpanda.Core.Building;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;

namespace Pkgpanda.Core.Tests.Building;

/// <summary>
/// A result the packages requiring it could not activate fails where it was made: its own build names its script
/// and the problem, it is not cached, and nothing is blamed on a dependant (with a scratch path that is gone).
/// </summary>
public class UnactivatableResultTests
{
    [DockerFact]
    public async Task Sysctl_settings_without_a_service_file_fail_the_package_that_declares_them()
    {
        using var tree = new TempTree()
            .Package("app", "{\"sysctl\": {\"dcos-app\": {\"vm.max_map_count\": 262144}}}", script: "#!/bin/sh\nmkdir -p $PKG_PATH/bin\n")
            .Package("user", "{\"requires\": [\"app\"]}");

        var built = await EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 2, parallel: 2, succeeds: false);

        var app = built.Summary.Results.Single(r => r.Key.Name == "app");
        app.Status.ShouldBe(PackageStatus.Failed);
        app.Reason.ShouldNotBeNull();
        app.Reason.ShouldContain($"{built.IdOf("app")} cannot be activated by the packages that require it, so it is not cached", Case.Sensitive, app.Reason);
        app.Reason.ShouldContain("declares sysctl settings but ships no .service file", Case.Sensitive, app.Reason);
        app.Reason.ShouldNotContain("/cache/tmp/", Case.Sensitive, app.Reason);
        built.Summary.Results.Single(r => r.Key.Name == "user").Status.ShouldNotBe(PackageStatus.Failed);
        built.Summary.Results.Single(r => r.Key.Name == "user").Status.ShouldNotBe(PackageStatus.Built);
        File.Exists(built.Cache.PackagePath(built.IdOf("app"))).ShouldBeFalse();
    }

    [DockerFact]
    public async Task A_script_that_overwrites_pkginfo_json_fails_itself()
    {
        using var tree = new TempTree().Package("a", script: "#!/bin/sh\necho junk > $PKG_PATH/pkginfo.json\n");

        var built = await EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 1, parallel: 1, succeeds: false);

        var a = built.Summary.Results.Single();
        a.Status.ShouldBe(PackageStatus.Failed);
        a.Reason.ShouldNotBeNull();
        a.Reason.ShouldContain("$PKG_PATH/pkginfo.json: malformed JSON", Case.Sensitive, a.Reason);
        File.Exists(built.Cache.PackagePath(built.IdOf("a"))).ShouldBeFalse();
    }
}
