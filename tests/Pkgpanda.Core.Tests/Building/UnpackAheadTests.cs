using Pkgpanda.Core.Building;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Building;

public class UnpackAheadTests
{
    [DockerFact]
    public async Task The_requires_built_early_are_unpacked_while_the_last_one_still_builds_and_the_result_is_the_same()
    {
        const string quick = "#!/bin/sh\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        const string user = "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/lib\ncat /opt/mesosphere/lib/quick.id /opt/mesosphere/lib/slow.id > $PKG_PATH/lib/seen\n";
        using var tree = new TempTree().Package("quick", script: quick).Package("slow", script: quick.Replace("mkdir", "sleep 6\nmkdir"))
            .Package("user", "{\"requires\": [\"quick\", \"slow\"]}", script: user);
        // At the end of each step, what user's install root holds so far (the others' go in the background once they end).
        var installs = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var seenAtEnd = new System.Collections.Concurrent.ConcurrentDictionary<string, string[]>();
        string[] Unpacked(string step) => installs.Where(i => i.Key != step && i.Key == "user").SelectMany(i => Directory.Exists(Path.Combine(i.Value, "packages"))
            ? Directory.GetDirectories(Path.Combine(i.Value, "packages")).Select(p => $"{i.Key}: {Path.GetFileName(p).Split("--")[0]}")
            : []).Order().ToArray();

        var built = await EngineTreeBuild.RunAsync(tree, docker => new ObservedRunner(docker,
            asked: (name, step) => installs[name] = step.Inputs.Single(i => i.ContainerPath == PackageBuilder.InstallRoot).HostPath,
            ended: name => seenAtEnd[name] = Unpacked(name)), capacity: 4, parallel: 4);

        // When slow's step ended, user's install root held quick already (user's own folder is its result's mount point).
        seenAtEnd["slow"].ShouldBe(["user: quick", "user: user"]);
        using var tmp = new TempTree();
        await Unpacker.UnpackAsync(built.Cache.PackagePath(built.IdOf("user")), Path.Combine(tmp.Root, "user"));
        File.ReadAllText(Path.Combine(tmp.Root, "user", "lib", "seen")).ShouldBe(built.IdOf("quick") + "\n" + built.IdOf("slow") + "\n", "activation gave both requires");
    }
}
