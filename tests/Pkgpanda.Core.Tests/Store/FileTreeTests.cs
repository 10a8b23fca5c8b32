using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

public class FileTreeTests
{
    [Fact]
    public void Deletes_read_only_folders_without_touching_what_links_point_at()
    {
        using var tree = new TempTree();
        var outside = tree.PathOf("outside");
        Directory.CreateDirectory(outside);
        tree.File("outside/keep.txt", "keep");
        File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("555", 8));
        tree.File("doomed/ro/file.txt", "x");
        File.SetUnixFileMode(tree.PathOf("doomed/ro"), (UnixFileMode)Convert.ToInt32("555", 8));
        Directory.CreateSymbolicLink(tree.PathOf("doomed/link"), outside);

        FileTree.Delete(tree.PathOf("doomed"));

        Directory.Exists(tree.PathOf("doomed")).ShouldBeFalse();
        File.ReadAllText(tree.PathOf("outside/keep.txt")).ShouldBe("keep");
        File.GetUnixFileMode(outside).ShouldBe((UnixFileMode)Convert.ToInt32("555", 8));
        File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("755", 8));
    }
}
