using Pkgpanda.Core.Building;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Tests.Building;

namespace Pkgpanda.Core.Tests.Faults;

public class FullDiskBuildTests
{
    /// <summary>
    /// The file a full disk is reported for is the one that could not be written, here the build's log; what filled the
    /// disk was the script's result, written to this machine's disk through the bind mount. The message says so.
    /// </summary>
    [DockerFact]
    public async Task A_full_disk_during_a_build_says_how_much_the_build_folder_holds()
    {
        const string script = "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/lib\nhead -c 1200000 /dev/urandom > $PKG_PATH/lib/big.bin\n" +
                              "i=0; while [ $i -lt 20000 ]; do echo \"line $i of the output, long enough to fill the rest of the disk\"; i=$((i+1)); done\n";
        using var tree = new TempTree().Package("filler", script: script);
        Directory.CreateDirectory(tree.PathOf("cache"));
        using var full = FaultyFolder.Full(tree.PathOf("cache"), 1600);

        var built = await EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 1, parallel: 1, succeeds: false);

        var result = built.Summary.Results.Single();
        result.Status.ShouldBe(PackageStatus.Failed);
        result.Reason.ShouldNotBeNull();
        result.Reason.ShouldContain("no space left on the device", Case.Sensitive, result.Reason);
        result.Reason.ShouldContain($"While {built.IdOf("filler")} was being built: its build folder {tree.PathOf("cache")}/tmp/", Case.Sensitive, result.Reason);
        result.Reason.ShouldContain(" MiB in result/ (what its script wrote)", Case.Sensitive, result.Reason);
    }
}
