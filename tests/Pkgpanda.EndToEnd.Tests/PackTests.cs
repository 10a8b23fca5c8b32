using System.Formats.Tar;
using System.Text.Json;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>./build.sh --target Pack: bootstrap bundles as SPEC 6 describes them.</summary>
[Collection("docker")]
public class PackTests
{
    [Fact]
    public async Task The_bootstrap_bundle_holds_the_bootstrap_packages_activated_under_opt_mesosphere()
    {
        using var tree = new ExampleTree();
        var result = await Cli.RunAsync(tree.Args("--target", "Pack"));
        result.ExitCode.ShouldBe(0, result.ToString());

        var bootstrapDir = Path.Combine(tree.Cache, "bootstrap");
        var bootstrapId = File.ReadAllText(Path.Combine(bootstrapDir, "bootstrap.latest")).Trim();
        using var complete = JsonDocument.Parse(File.ReadAllText(Path.Combine(tree.Cache, "complete", "complete.latest.json")));
        complete.RootElement.GetProperty("bootstrap").GetString().ShouldBe(bootstrapId);
        var all = complete.RootElement.GetProperty("packages").EnumerateArray().Select(e => e.GetString()!).ToList();
        all.ShouldBe(all.Order(StringComparer.Ordinal).ToList());
        all.Select(i => i.Split("--")[0]).ShouldBe(["boost-libs", "curl", "libevent", "mesos", "openssl"]);

        using var active = JsonDocument.Parse(File.ReadAllText(Path.Combine(bootstrapDir, bootstrapId + ".active.json")));
        var ids = active.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
        ids.ShouldBe(all);  // the bootstrap list is mesos, which requires every other package
        BootstrapBundle.IdOf(ids.Select(Pkgpanda.Core.Model.PackageId.Parse)).ShouldBe(bootstrapId);

        var entries = (await Tarball.ReadAsync(Path.Combine(bootstrapDir, bootstrapId + ".bootstrap.tar.xz"))).Entries;

        entries.ShouldContainKey("./bootstrap");
        entries["./bootstrap"].Length.ShouldBe(0);
        entries.ShouldContainKey("./environment");
        entries.ShouldContainKey("./environment.export");
        entries.ShouldContainKey("./active.buildinfo.full.json");
        entries.ShouldContainKey("./etc/dcos-service-configuration.json");
        var mesos = ids.Single(i => i.StartsWith("mesos--"));
        entries["./active/mesos"].EntryType.ShouldBe(TarEntryType.SymbolicLink);
        entries["./active/mesos"].LinkName.ShouldBe($"/opt/mesosphere/packages/{mesos}");
        entries[$"./packages/{mesos}/bin/mesos-master"].EntryType.ShouldBe(TarEntryType.RegularFile);
        entries["./bin/mesos-master"].LinkName.ShouldBe($"/opt/mesosphere/packages/{mesos}/bin/mesos-master");
        var openssl = ids.Single(i => i.StartsWith("openssl--"));
        entries["./lib/libssl.so"].LinkName.ShouldBe($"/opt/mesosphere/packages/{openssl}/lib/libssl.so");
        entries.Keys.ShouldNotContain(k => k.StartsWith("./dcos.target.wants/"));
    }

    [Fact]
    public async Task A_tree_variant_whose_packages_require_another_variant_is_refused_with_the_chain()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("fips.treeinfo.json"), "{\"core_package_list\": [\"curl\"], \"variants\": {\"openssl\": \"fips\"}}");
        var result = await Cli.RunAsync(tree.Args("--target", "Pack", "--tree-variant", "fips"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("fips.treeinfo.json: package \"openssl\" must be variant fips in this tree, but variant <default> is required through curl -> openssl.");
    }

    [Fact]
    public async Task Bundles_are_byte_identical_from_fresh_caches_and_up_to_date_the_second_time()
    {
        using var a = new ExampleTree();
        using var b = new ExampleTree();
        (await Cli.RunAsync(a.Args("--target", "Pack"))).ExitCode.ShouldBe(0);
        var again = await Cli.RunAsync(a.Args("--target", "Pack"));
        again.Output.ShouldContain("up to date");
        (await Cli.RunAsync(b.Args("--target", "Pack", "--parallel", "1"))).ExitCode.ShouldBe(0);
        var fa = Directory.GetFiles(Path.Combine(a.Cache, "bootstrap"), "*.bootstrap.tar.xz").Single();
        var fb = Directory.GetFiles(Path.Combine(b.Cache, "bootstrap"), "*.bootstrap.tar.xz").Single();
        Path.GetFileName(fa).ShouldBe(Path.GetFileName(fb));
        File.ReadAllBytes(fa).ShouldBe(File.ReadAllBytes(fb));
    }

    [Fact]
    public async Task Tree_variants_get_their_own_bundle_and_pointers()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("fips.treeinfo.json"), "{\"core_package_list\": [\"openssl\"], \"variants\": {\"openssl\": \"fips\"}}");
        var result = await Cli.RunAsync(tree.Args("--target", "Pack", "--tree-variant", "fips"));
        result.ExitCode.ShouldBe(0, result.ToString());
        File.Exists(Path.Combine(tree.Cache, "bootstrap", "fips.bootstrap.latest")).ShouldBeTrue();
        File.Exists(Path.Combine(tree.Cache, "bootstrap", "bootstrap.latest")).ShouldBeFalse();
        using var complete = JsonDocument.Parse(File.ReadAllText(Path.Combine(tree.Cache, "complete", "fips.complete.latest.json")));
        complete.RootElement.GetProperty("packages").EnumerateArray().Select(e => e.GetString()!.Split("--")[0]).ShouldBe(["openssl"]);
        File.ReadAllText(Path.Combine(tree.Cache, "packages", "openssl", "fips.latest")).ShouldStartWith("openssl--");
    }
}
