using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

public class TreeInfoLoaderTests
{
    [Fact]
    public void Unknown_key_is_refused()
    {
        using var tree = new TempTree().Package("a").File("treeinfo.json", "{\"packages\": []}");
        var ex = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        ex.Message.ShouldContain("treeinfo.json");
        ex.Field.ShouldBe("\"packages\"");
    }

    [Fact]
    public void A_package_both_excluded_and_listed_is_refused()
    {
        using var tree = new TempTree().Package("a").File("treeinfo.json", "{\"exclude\": [\"a\"], \"core_package_list\": [\"a\"]}");
        var ex = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        ex.Field.ShouldBe("\"core_package_list\"[0]");
        ex.Message.ShouldContain("exclude");
    }

    [Fact]
    public void Tree_variants_come_from_file_names()
    {
        using var tree = new TempTree().Package("a").File("treeinfo.json", "{}").File("installer.treeinfo.json", "{\"variants\": {\"a\": null}}");
        PackageStore.Load(tree.Root).Trees.Select(t => t.TreeVariant).ShouldBe([null, "installer"]);
    }

    [Fact]
    public void Variants_must_be_strings()
    {
        using var tree = new TempTree().Package("a").File("treeinfo.json", "{\"variants\": {\"a\": 3}}");
        Should.Throw<BuildError>(() => PackageStore.Load(tree.Root)).Field.ShouldBe("\"variants\".\"a\"");
    }
}
