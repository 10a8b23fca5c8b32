using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Hashing;

public class IdBuilderTests
{
    private const string MesosBuildinfo = """
        {
          "requires": ["openssl", {"name": "libevent", "variant": null}],
          "single_source": {"kind": "git", "git": "https://github.com/apache/mesos", "ref": "d4678d33b223fec5d48007f8246f1ed1cda5e90d", "ref_origin": "master"},
          "environment": {"JAVA_LIBRARY_PATH": "/opt/mesosphere/lib"},
          "state_directory": true,
          "sysctl": {"dcos-mesos-slave": {"vm.max_map_count": 262144, "vm.swappiness": 1}}
        }
        """;

    private static TempTree MesosTree() => new TempTree()
        .Package("openssl")
        .Package("libevent", "{\"requires\": [\"openssl\"]}")
        .Package("mesos", MesosBuildinfo, script: "");

    private static async Task<IReadOnlyDictionary<PackageKey, PackagePlan>> Plans(string root, FixedImages? images = null)
    {
        var store = PackageStore.Load(root);
        var graph = new Selection(null, null, null).Resolve(store);
        return await new IdBuilder(new SourceFetchers(store.CacheDir), images ?? new FixedImages(), FixedImages.DefaultImage).ComputeAsync(graph);
    }

    private static PackageId IdOf(IReadOnlyDictionary<PackageKey, PackagePlan> plans, string name) => plans[new PackageKey(name, null)].Id;

    [Fact]
    public async Task Build_ids_are_assembled_as_pkgpanda_assembles_them()
    {
        using var tree = MesosTree();
        var plans = await Plans(tree.Root);
        var openssl = IdOf(plans, "openssl").ToString();
        var libevent = IdOf(plans, "libevent").ToString();

        // Written out by hand from pkgpanda's build(): every buildinfo key consumed, sources replaced by their
        // ids, the script by its sha1, requires by the ids of all transitive requires.
        var expected = new Dictionary<string, object?>
        {
            ["name"] = "mesos",
            ["variant"] = "",
            ["sources"] = new Dictionary<string, object?> { ["mesos"] = new Dictionary<string, object?> { ["commit"] = "d4678d33b223fec5d48007f8246f1ed1cda5e90d" } },
            ["build"] = "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            ["pkgpanda_version"] = "0.2",
            ["docker"] = FixedImages.DefaultId,
            ["environment"] = new Dictionary<string, object?> { ["JAVA_LIBRARY_PATH"] = "/opt/mesosphere/lib" },
            ["state_directory"] = true,
            ["requires"] = new List<object?> { libevent, openssl },
            ["sysctl"] = new Dictionary<string, object?> { ["dcos-mesos-slave"] = new Dictionary<string, object?> { ["vm.max_map_count"] = 262144L, ["vm.swappiness"] = 1L } },
        };
        var mesos = plans[new PackageKey("mesos", null)];
        PlainJson.Pretty(mesos.BuildIds).ShouldBe(PlainJson.Pretty(expected));
        mesos.Id.Version.ShouldBe(HashCheckout.Of(expected));
    }

    [Fact]
    public void The_realistic_vector_map_hashes_to_its_reference_value()
    {
        // Same shape as IdBuilder's output, with the requires ids of the shared vector.
        var map = new Dictionary<string, object?>
        {
            ["name"] = "mesos", ["variant"] = "",
            ["sources"] = new Dictionary<string, object?> { ["mesos"] = new Dictionary<string, object?> { ["commit"] = "d4678d33b223fec5d48007f8246f1ed1cda5e90d" } },
            ["build"] = "da39a3ee5e6b4b0d3255bfef95601890afd80709", ["pkgpanda_version"] = IdBuilder.PkgpandaVersion,
            ["docker"] = FixedImages.DefaultId,
            ["environment"] = new Dictionary<string, object?> { ["JAVA_LIBRARY_PATH"] = "/opt/mesosphere/lib" },
            ["state_directory"] = true,
            ["requires"] = new List<object?> { "openssl--0123456789abcdef0123456789abcdef01234567", "libevent--89abcdef0123456789abcdef0123456789abcdef" },
            ["sysctl"] = new Dictionary<string, object?> { ["dcos-mesos-slave"] = new Dictionary<string, object?> { ["vm.max_map_count"] = 262144L, ["vm.swappiness"] = 1L } },
        };
        HashCheckout.Of(map).ShouldBe("7d6e5773bd29257c8d981611de1197f1e8dc7882");
    }

    [Fact]
    public async Task Requires_ids_are_transitive()
    {
        using var tree = MesosTree();
        var plans = await Plans(tree.Root);
        plans[new PackageKey("mesos", null)].RequireIds.Select(i => i.Name).ShouldBe(["libevent", "openssl"], ignoreOrder: true);
        plans[new PackageKey("libevent", null)].RequireIds.Select(i => i.Name).ShouldBe(["openssl"]);
    }

    [Fact]
    public async Task Id_changes_when_the_build_script_changes()
    {
        using var tree = MesosTree();
        var before = IdOf(await Plans(tree.Root), "mesos");
        tree.File("mesos/build", "#!/bin/sh\necho changed\n", executable: true);
        IdOf(await Plans(tree.Root), "mesos").ShouldNotBe(before);
    }

    [Fact]
    public async Task Id_changes_when_extra_changes_and_records_extra_source()
    {
        using var tree = MesosTree();
        var before = IdOf(await Plans(tree.Root), "mesos");
        tree.File("mesos/extra/conf.txt", "a");
        var plans = await Plans(tree.Root);
        var withExtra = plans[new PackageKey("mesos", null)];
        withExtra.Id.ShouldNotBe(before);
        withExtra.BuildIds["extra_source"].ShouldBe(FolderHash.Of(tree.PathOf("mesos/extra")));
        tree.File("mesos/extra/conf.txt", "b");
        IdOf(await Plans(tree.Root), "mesos").ShouldNotBe(withExtra.Id);
    }

    [Fact]
    public async Task Id_changes_when_a_source_changes()
    {
        using var tree = MesosTree();
        var before = IdOf(await Plans(tree.Root), "mesos");
        tree.File("mesos/buildinfo.json", MesosBuildinfo.Replace("d4678d33b223fec5d48007f8246f1ed1cda5e90d", "0000000000000000000000000000000000000001"));
        IdOf(await Plans(tree.Root), "mesos").ShouldNotBe(before);
    }

    [Fact]
    public async Task Id_changes_when_the_image_changes()
    {
        using var tree = MesosTree();
        var before = IdOf(await Plans(tree.Root), "mesos");
        var other = new FixedImages(new() { [FixedImages.DefaultImage] = "sha256:" + new string('1', 64) });
        IdOf(await Plans(tree.Root, other), "mesos").ShouldNotBe(before);
    }

    [Fact]
    public async Task Id_changes_when_a_require_changes_even_indirectly()
    {
        using var tree = MesosTree();
        var before = await Plans(tree.Root);
        tree.File("openssl/build", "#!/bin/sh\necho new openssl\n", executable: true);
        var after = await Plans(tree.Root);
        IdOf(after, "openssl").ShouldNotBe(IdOf(before, "openssl"));
        IdOf(after, "libevent").ShouldNotBe(IdOf(before, "libevent"));
        IdOf(after, "mesos").ShouldNotBe(IdOf(before, "mesos"));
    }

    [Fact]
    public async Task Id_does_not_change_when_the_tree_is_moved_or_renamed()
    {
        using var tree = MesosTree();
        tree.File("mesos/extra/conf.txt", "a");
        var before = await Plans(tree.Root);
        using var elsewhere = new TempTree();
        var moved = Path.Combine(elsewhere.Root, "renamed-tree");
        Directory.Move(tree.Root, moved);
        try
        {
            var after = await Plans(moved);
            foreach (var name in new[] { "openssl", "libevent", "mesos" })
                IdOf(after, name).ShouldBe(IdOf(before, name));
        }
        finally { Directory.Move(moved, tree.Root); }
    }

    [Fact]
    public async Task Version_extra_prefixes_the_hash_and_is_part_of_it()
    {
        using var tree = new TempTree().Package("tool", "{\"version_extra\": \"1.2.3\"}");
        var plan = (await Plans(tree.Root))[new PackageKey("tool", null)];
        plan.Id.Version.ShouldStartWith("1.2.3-");
        plan.Id.Version.ShouldBe("1.2.3-" + HashCheckout.Of(plan.BuildIds));
        plan.BuildIds["version_extra"].ShouldBe("1.2.3");
        PackageId.Parse(plan.Id.ToString()).ShouldBe(plan.Id);
    }

    [Fact]
    public async Task Variant_ids_use_the_variant_name_and_script()
    {
        using var tree = new TempTree().Package("tool").Package("tool", "{}", variant: "fips", script: "#!/bin/sh\necho fips\n");
        var plans = await Plans(tree.Root);
        var store = PackageStore.Load(tree.Root);
        var graph = PackageGraph.ForPackages(store, [new PackageKey("tool", "fips")]);
        var fips = (await new IdBuilder(new SourceFetchers(store.CacheDir), new FixedImages(), FixedImages.DefaultImage).ComputeAsync(graph))[new PackageKey("tool", "fips")];
        fips.BuildIds["variant"].ShouldBe("fips");
        fips.BuildIds["build"].ShouldBe(FolderHash.FileSha1(tree.PathOf("tool/fips.build")));
        fips.Id.ShouldNotBe(IdOf(plans, "tool"));
    }

    [Fact]
    public async Task A_missing_build_script_is_a_clear_error()
    {
        using var tree = new TempTree().File("tool/buildinfo.json", "{}");
        var ex = await Should.ThrowAsync<BuildError>(() => Plans(tree.Root));
        ex.Message.ShouldContain("tool/buildinfo.json");
        ex.Message.ShouldContain("build script");
    }

    [Fact]
    public async Task A_missing_image_is_a_clear_error_naming_it()
    {
        using var tree = new TempTree().Package("tool", "{\"docker\": \"nowhere/image:1\"}");
        var ex = await Should.ThrowAsync<BuildError>(() => Plans(tree.Root));
        ex.Message.ShouldContain("nowhere/image:1");
    }
}
