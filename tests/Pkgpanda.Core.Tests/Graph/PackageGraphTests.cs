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
        ex.Message.ShouldContain("Selection.Package mesos: there is no package \"mesos\"");
        ex.Message.ShouldContain("mesos-modules");
    }

    [Fact]
    public void A_folder_without_treeinfo_is_a_plain_store_of_every_name_and_variant()
    {
        using var tree = new TempTree()
            .Package("app", Requires("{\"name\": \"libev\", \"variant\": \"fast\"}"))
            .Package("tool", Requires("libev"))
            .Package("libev").Package("libev", variant: "fast");
        var store = PackageStore.Load(tree.Root);
        store.IsPlainStore.ShouldBeTrue();
        Graph(tree).Order.ShouldBe([new PackageKey("libev", "fast"), new PackageKey("app", null), new PackageKey("libev", null), new PackageKey("tool", null)]);
        Should.Throw<BuildError>(() => new Selection(null, null, null).TreesToPack(store)).Message.ShouldContain("plain package store, so there is no tree variant to pack");
    }

    [Fact]
    public void With_a_treeinfo_the_tree_variants_rules_apply_and_their_union_is_selected()
    {
        using var tree = new TempTree()
            .Package("app", Requires("libev")).Package("cli")
            .Package("libev").Package("libev", variant: "fast")
            .File("treeinfo.json", "{\"core_package_list\": [\"app\"]}")
            .File("installer.treeinfo.json", "{\"core_package_list\": [\"cli\"]}");
        // libev (fast) is in the folder but in no tree variant, so it is not selected.
        Graph(tree).Order.ShouldBe([new PackageKey("libev", null), new PackageKey("app", null), new PackageKey("cli", null)]);
    }

    [Fact]
    public void A_variant_rule_broken_deep_in_a_layered_tree_is_found_without_walking_every_path()
    {
        // 30 layers, each package requiring all three of the layer below: 3^30 paths from top to bottom.
        var tree = new TempTree();
        using var _ = tree;
        for (var l = 0; l < 30; l++)
            for (var i = 0; i < 3; i++)
                tree.Package($"p{l}-{i}", l == 0 ? "{}" : Requires($"p{l - 1}-0", $"p{l - 1}-1", $"p{l - 1}-2"));
        // The chain to the wrong variant is searched from every root of the tree; most of them never reach it.
        tree.Package("p0-0", "{}", variant: "fast").Package("top", Requires("{\"name\": \"p0-0\", \"variant\": \"fast\"}")).File("treeinfo.json", "{}");
        var ex = Should.Throw<BuildError>(() => Should.CompleteIn(() => Graph(tree), TimeSpan.FromSeconds(30)));
        ex.Message.ShouldContain("package \"p0-0\" must be variant <default> in this tree, but variant fast is required through top -> p0-0 (fast).");
    }

    [Fact]
    public void A_bootstrap_package_must_exist_and_belong_to_the_tree()
    {
        using var missing = new TempTree().Package("a").File("treeinfo.json", "{\"bootstrap_package_list\": [\"a\", \"ghost\"]}");
        var ex = Should.Throw<BuildError>(() => Graph(missing));
        ex.Field.ShouldBe("\"bootstrap_package_list\"[1]");
        ex.Message.ShouldContain("there is no package \"ghost\"");
        using var outside = new TempTree().Package("a").Package("b").File("treeinfo.json", "{\"core_package_list\": [\"a\"], \"bootstrap_package_list\": [\"b\"]}");
        Should.Throw<BuildError>(() => Graph(outside)).Message.ShouldContain("a bootstrap package must be one of the tree's packages");
    }

    [Fact]
    public void Transitive_requires_are_every_package_reachable_in_build_order()
    {
        // Random DAGs of 150 packages (each requires up to four of those before it; more than 64 so the sets span words),
        // against a plain walk: ids hash these lists, so a package left out or out of order would change every id above it.
        var random = new Random(7);
        for (var round = 0; round < 3; round++)
        {
            using var tree = new TempTree();
            var names = Enumerable.Range(0, 150).Select(i => $"p{i:000}").ToList();
            var direct = new Dictionary<string, List<string>>();
            for (var i = 0; i < names.Count; i++)
            {
                direct[names[i]] = i == 0 ? [] : Enumerable.Range(0, random.Next(5)).Select(_ => names[random.Next(i)]).Distinct().ToList();
                tree.Package(names[i], Requires([.. direct[names[i]]]));
            }
            var graph = Graph(tree);
            foreach (var key in graph.Order)
            {
                var reached = new HashSet<string>();
                var stack = new Stack<string>(direct[key.Name]);
                while (stack.Count > 0)
                    if (stack.Pop() is var n && reached.Add(n)) foreach (var r in direct[n]) stack.Push(r);
                graph.TransitiveRequiresOf(key).Select(k => k.Name).ShouldBe(graph.Order.Select(k => k.Name).Where(reached.Contains), key.Name);
            }
        }
    }
}
