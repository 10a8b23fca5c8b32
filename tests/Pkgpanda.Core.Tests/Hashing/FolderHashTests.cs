using Pkgpanda.Core.Hashing;

namespace Pkgpanda.Core.Tests.Hashing;

public class FolderHashTests
{
    [Fact]
    public void Matches_the_reference_folder_vector()
    {
        using var tree = new TempTree();
        Directory.CreateDirectory(tree.PathOf("extra/foo"));
        Directory.CreateDirectory(tree.PathOf("extra/emptydir"));
        tree.File("extra/sub/bar.txt", "");
        FolderHash.Of(tree.PathOf("extra")).ShouldBe("27b22f5874cc7ca1a930ddca00a9ce9d1def08c8");
    }

    [Fact]
    public void Links_to_files_hash_their_target_and_links_to_folders_are_left_out_like_os_walk()
    {
        using var tree = new TempTree();
        tree.File("extra/real.txt", "data").File("elsewhere/inner.txt", "x");
        File.CreateSymbolicLink(tree.PathOf("extra/link.txt"), "real.txt");
        Directory.CreateSymbolicLink(tree.PathOf("extra/folder-link"), tree.PathOf("elsewhere"));
        var files = FolderHash.Files(tree.PathOf("extra"));
        files.Keys.Order(StringComparer.Ordinal).ShouldBe(["link.txt", "real.txt"]);
        files["link.txt"].ShouldBe(files["real.txt"]);
    }

    [Fact]
    public void A_dangling_link_is_a_clear_error_naming_the_file()
    {
        using var tree = new TempTree();
        tree.File("extra/ok.txt", "x");
        File.CreateSymbolicLink(tree.PathOf("extra/broken"), "nowhere");
        var ex = Should.Throw<BuildError>(() => FolderHash.Of(tree.PathOf("extra")));
        ex.Message.ShouldContain("extra/broken");
        ex.Message.ShouldContain("symlink to 'nowhere'");
    }

    [Fact]
    public void Changes_with_content_and_not_with_location()
    {
        using var a = new TempTree();
        using var b = new TempTree();
        a.File("x/one.txt", "1").File("x/deep/two.txt", "2");
        b.File("elsewhere/y/one.txt", "1").File("elsewhere/y/deep/two.txt", "2");
        var ha = FolderHash.Of(a.PathOf("x"));
        FolderHash.Of(b.PathOf("elsewhere/y")).ShouldBe(ha);
        a.File("x/deep/two.txt", "changed");
        FolderHash.Of(a.PathOf("x")).ShouldNotBe(ha);
    }
}
