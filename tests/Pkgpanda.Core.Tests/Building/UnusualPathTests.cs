using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Building;

public class UnusualPathTests
{
    [DockerFact]
    public async Task A_tree_whose_path_holds_a_colon_a_comma_and_spaces_builds_on_the_engine()
    {
        // A bind written as "host:container:mode" cannot hold such a path; the engine refused it before.
        const string first = "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/lib\necho made by a > $PKG_PATH/lib/a.txt\n";
        const string second = "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/lib\ncat /opt/mesosphere/lib/a.txt /pkg/extra/note > $PKG_PATH/lib/b.txt\n";
        using var tree = new TempTree("build: 2026, nightly=yes").Package("a", script: first).Package("b", "{\"requires\": [\"a\"]}", script: second)
            .File("b/extra/note", "from extra/\n");

        var built = await EngineTreeBuild.RunAsync(tree, docker => docker, capacity: 2, parallel: 2);

        using var tmp = new TempTree();
        await Unpacker.UnpackAsync(built.Cache.PackagePath(built.IdOf("b")), Path.Combine(tmp.Root, "b"));
        File.ReadAllText(Path.Combine(tmp.Root, "b", "lib", "b.txt")).ShouldBe("made by a\nfrom extra/\n", "b saw its require activated and its extra/ folder");
    }
}
