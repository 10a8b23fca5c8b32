using System.Text.RegularExpressions;
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

    /// <summary>
    /// A script whose own write fails on a full disk exits with its own code, and only its log says why: the failure
    /// names the disk that filled (the build folder's, with the room left there) and the engine's storage as the other place.
    /// </summary>
    [DockerFact]
    public async Task A_script_that_fills_the_disk_is_told_which_disk_and_how_much_room_is_left()
    {
        const string script = "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/lib\nhead -c 3000000 /dev/zero > $PKG_PATH/lib/big.bin\n";
        using var tree = new TempTree().Package("filler", script: script);
        // Only the build folders' disk fills up, so the log (in the cache) is written and tells the script's error.
        Directory.CreateDirectory(tree.PathOf("cache/tmp"));
        using var full = FaultyFolder.Full(tree.PathOf("cache/tmp"), 1600);

        var built = await EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 1, parallel: 1, succeeds: false);

        var result = built.Summary.Results.Single();
        result.Status.ShouldBe(PackageStatus.Failed);
        result.Reason.ShouldNotBeNull();
        result.Reason.ShouldContain("build exited with code 1", Case.Sensitive, result.Reason);
        result.Reason.ShouldContain($"The disk of its build folder {tree.PathOf("cache")}/tmp/", Case.Sensitive, result.Reason);
        // The result filled the 1600 KiB tmpfs: the room left and what the result holds are measured.
        Regex.IsMatch(result.Reason, @"is full \([0-9.]+ KiB free of 1\.6 MiB; result/ holds 1\.[0-9] MiB, src/ [0-9.]+ KiB\)").ShouldBeTrue(result.Reason);
    }

    /// <summary>
    /// When the log says the disk is full and the build folder's disk has room, what filled up is the engine's own
    /// storage (where a container's other files go): the failure names that engine. (A script writing to a full
    /// container file system prints the same words this one prints.)
    /// </summary>
    [DockerFact]
    public async Task A_full_disk_the_build_folder_does_not_explain_is_put_on_the_engine_storage()
    {
        const string script = "#!/bin/sh\necho 'cp: write error: No space left on device' >&2\nexit 1\n";
        using var tree = new TempTree().Package("filler", script: script);

        var built = await EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 1, parallel: 1, succeeds: false);

        var reason = built.Summary.Results.Single().Reason;
        reason.ShouldNotBeNull();
        reason.ShouldContain("The script ran out of disk space, but its build folder ", Case.Sensitive, reason);
        reason.ShouldContain("what filled up is where else it wrote, the storage of the engine unix://", Case.Sensitive, reason);
        reason.ShouldNotContain("is full (", Case.Sensitive, reason);
    }
}
