using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Graph;

public class PackageGraphTests
{
    private static string Requires(params string[] names) => $"{{\"requires\": [{string.Join(", ", names.Select(n => n.StartsWith('{') ? n : $"\"{n}\""))}]}}";

    private static PackageGraph Graph(TempTree tree, string? package = null, string? variant = null) =>
        new Selection(package, variant, null).Resolve(PackageStore.Load(tree.Root));

    [Fact]
    public void Order_puts_requires_first_and_is_stable()
    {
        using var tree = new TempTree().Package("mesos", Requires("openssl", "libevent")).Package("libevent", Requires("openssl")).Package("openssl").Package("zk");
        Graph(tree).Order.Select(k => k.Name).ShouldBe(["openssl", "libevent", "mesos", "zk"]);
    }

    [Fact]
    public void A_package_selection_contains_it_and_its_requires_only()
    {
        using var tree = new TempTree().Package("mesos", Requires("openssl")).Package("openssl").Package("unrelated");
        Graph(tree, "mesos").Order.Select(k => k.Name).ShouldBe(["openssl", "mesos"]);
    }

    [Fact]
    public void A_cycle_is_printed_whole()
    {
        using var tree = new TempTree().Package("a", Requires("b")).Package("b", Requires("c")).Package("c", Requires("a"));
        var ex = Should.Throw<BuildError>(() => Graph(tree));
        ex.Message.ShouldContain("a -> b -> c -> a");
    }

    [Fact]
    public void A_missing_require_names_who_requires_it()
    {
        using var tree = new TempTree().Package("mesos", Requires("openssl", "zookeeper")).Package("openssl");
        var ex = Should.Throw<BuildError>(() => Graph(tree));
        ex.Message.ShouldContain("mesos/buildinfo.json");
        ex.Field.ShouldBe("\"requires\"[1]");
        ex.Message.ShouldContain("there is no package \"zookeeper\"");
    }

    [Fact]
    public void A_missing_variant_names_the_variants_there_are()
    {
        using var tree = new TempTree().Package("mesos", Requires("{\"name\": \"openssl\", \"variant\": \"fips\"}")).Package("openssl");
        var ex = Should.Throw<BuildError>(() => Graph(tree));
        ex.Message.ShouldContain("no variant fips");
        ex.Message.ShouldContain("<default>");
    }

    [Fact]
    public void Two_variants_of_one_package_print_both_chains()
    {
        using var tree = new TempTree()
            .Package("mesos", Requires("curl", "libevent"))
            .Package("curl", Requires("{\"name\": \"openssl\", \"variant\": \"fips\"}"))
            .Package("libevent", Requires("openssl"))
            .Package("openssl").Package("openssl", variant: "fips");
        var ex = Should.Throw<BuildError>(() => Graph(tree, "mesos"));
        ex.Message.ShouldContain("two variants of package \"openssl\"");
        ex.Message.ShouldContain("mesos -> curl -> openssl (fips)");
        ex.Message.ShouldContain("mesos -> libevent -> openssl");
    }

    [Fact]
    public void A_require_of_an_excluded_package_is_refused()
    {
        using var tree = new TempTree().Package("mesos", Requires("openssl")).Package("openssl").File("treeinfo.json", "{\"exclude\": [\"openssl\"]}");
        var ex = Should.Throw<BuildError>(() => Graph(tree));
        ex.Message.ShouldContain("excluded");
        ex.Message.ShouldContain("mesos");
    }

    [Fact]
    public void A_variant_other_than_the_treeinfo_variant_is_refused_with_its_chain()
    {
        using var tree = new TempTree()
            .Package("mesos", Requires("{\"name\": \"openssl\", \"variant\": \"fips\"}"))
            .Package("openssl").Package("openssl", variant: "fips")
            .File("treeinfo.json", "{\"core_package_list\": [\"mesos\"]}");
        var ex = Should.Throw<BuildError>(() => Graph(tree));
        ex.Message.ShouldContain("must be variant <default>");
        ex.Message.ShouldContain("mesos -> openssl (fips)");
    }

    [Fact]
    public void Tree_variants_pick_package_variants()
    {
        using var tree = new TempTree()
            .Package("mesos", Requires("{\"name\": \"openssl\", \"variant\": \"fips\"}"))
            .Package("openssl").Package("openssl", variant: "fips")
            .File("treeinfo.json", "{\"core_package_list\": [\"mesos\"], \"variants\": {\"openssl\": \"fips\"}}");
        Graph(tree).Order.ShouldBe([new PackageKey("openssl", "fips"), new PackageKey("mesos", null)]);
    }

    [Fact]
    public void Core_package_list_limits_the_tree_and_exclude_removes()
    {
        using var tree = new TempTree().Package("a").Package("b").Package("c").File("treeinfo.json", "{\"exclude\": [\"c\"]}");
        Graph(tree).Order.Select(k => k.Name).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void An_unknown_package_suggests_close_names()
    {
        using var tree = new TempTree().Package("mesos-modules");
        var ex = Should.Throw<BuildError>(() => Graph(tree, "mesos"));
        ex.Message.ShouldContain("--package mesos: there is no package \"mesos\"");
        ex.Message.ShouldContain("mesos-modules");
    }
}
