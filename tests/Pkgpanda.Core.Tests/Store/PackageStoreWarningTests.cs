using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

/// <summary>What loading lets pass, as pkgpanda does, but says: a user most likely meant something else.</summary>
public class PackageStoreWarningTests
{
    [Fact]
    public void A_variant_file_named_the_wrong_way_round_is_not_read_and_said_so()
    {
        using var tree = new TempTree().Package("a").File("a/buildinfo.fips.json", "{}").Package("b");
        var store = PackageStore.Load(tree.Root);

        store.Get(new PackageKey("a", null)).ShouldNotBeNull();
        Should.Throw<Exception>(() => store.Get(new PackageKey("a", "fips")));
        store.Warnings.ShouldHaveSingleItem().ShouldBe($"{tree.PathOf("a/buildinfo.fips.json")}: not read: a variant's file is named \"<variant>.buildinfo.json\" (\"fips.buildinfo.json\" here).");
    }

    [Fact]
    public void A_folder_with_no_package_says_so_and_points_at_a_tree_inside_it()
    {
        using var repo = new TempTree().Package("packages/a").File("README.md", "a repository, not a tree");
        PackageStore.Load(repo.Root).Warnings.ShouldHaveSingleItem()
            .ShouldBe($"The packages folder {repo.Root} holds no package (no folder in it has a buildinfo.json); did you mean {repo.PathOf("packages")}?");

        using var empty = new TempTree();
        PackageStore.Load(empty.Root).Warnings.ShouldHaveSingleItem().ShouldEndWith("holds no package (no folder in it has a buildinfo.json).");
        using var tree = new TempTree().Package("a");
        PackageStore.Load(tree.Root).Warnings.ShouldBeEmpty();
    }
}
