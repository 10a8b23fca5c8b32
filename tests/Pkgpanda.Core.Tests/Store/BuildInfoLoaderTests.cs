using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

public class BuildInfoLoaderTests
{
    private static BuildError Refused(string buildinfo, string file = "buildinfo.json")
    {
        using var tree = new TempTree().File($"pkg/{file}", buildinfo).File("pkg/build", "", executable: true);
        return Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
    }

    [Fact]
    public void An_empty_file_is_an_empty_buildinfo_with_pkgpanda_defaults()
    {
        using var tree = new TempTree().File("pkg/buildinfo.json", "  \n").File("pkg/build", "");
        var info = PackageStore.Load(tree.Root).Get(new PackageKey("pkg", null));
        info.Requires.ShouldBeEmpty();
        info.Sources.ShouldBeEmpty();
        info.BuildScript.ShouldBe("build");
        info.Docker.ShouldBeNull();
        info.Environment.ShouldBeEmpty();
        info.StateDirectory.ShouldBeFalse();
    }

    [Fact]
    public void Variants_come_from_file_names_and_default_to_their_own_script()
    {
        using var tree = new TempTree().File("pkg/buildinfo.json", "{}").File("pkg/fips.buildinfo.json", "{}");
        var store = PackageStore.Load(tree.Root);
        store.VariantsOf("pkg").ShouldBe([null, "fips"]);
        store.Get(new PackageKey("pkg", "fips")).BuildScript.ShouldBe("fips.build");
    }

    [Fact]
    public void Malformed_json_names_the_file_and_position()
    {
        var ex = Refused("{\"requires\": [}");
        ex.Message.ShouldContain("pkg/buildinfo.json");
        ex.Message.ShouldContain("malformed JSON at line 1");
    }

    [Fact]
    public void Unknown_key_is_named()
    {
        var ex = Refused("{\"requires\": [], \"colour\": \"blue\"}");
        ex.Field.ShouldBe("\"colour\"");
        ex.Message.ShouldContain("unknown key");
        ex.Message.ShouldContain("pkg/buildinfo.json");
    }

    [Theory]
    [InlineData("name")]
    [InlineData("variant")]
    public void Name_and_variant_keys_are_refused(string key)
    {
        var ex = Refused($"{{\"{key}\": \"x\"}}");
        ex.Field.ShouldBe($"\"{key}\"");
        ex.Message.ShouldContain("implied");
    }

    [Theory]
    [InlineData("{\"requires\": \"openssl\"}", "\"requires\"", "must be a list")]
    [InlineData("{\"environment\": {\"A\": 1}}", "\"environment\".\"A\"", "must be a string")]
    [InlineData("{\"environment\": []}", "\"environment\"", "must be an object")]
    [InlineData("{\"state_directory\": \"yes\"}", "\"state_directory\"", "true or false")]
    [InlineData("{\"docker\": 5}", "\"docker\"", "must be a string")]
    [InlineData("{\"username\": \"mesos\"}", "\"username\"", "dcos_")]
    [InlineData("{\"group\": \"Bad Group\"}", "\"group\"", "must match")]
    [InlineData("{\"sysctl\": {\"svc\": {\"k\": [1]}}}", "\"sysctl\".\"svc\".\"k\"", "a string, an integer or a boolean")]
    [InlineData("{\"version_extra\": \"1-2\"}", "\"version_extra\"", "must match")]
    [InlineData("{\"sources\": {\"../../escape\": {\"kind\": \"git_local\", \"rel_path\": \"x\"}}}", "\"sources\"", "must be one folder name")]
    [InlineData("{\"sources\": {\"a/b\": {\"kind\": \"git_local\", \"rel_path\": \"x\"}}}", "\"sources\"", "must be one folder name")]
    [InlineData("{\"sources\": {\".\": {\"kind\": \"git_local\", \"rel_path\": \"x\"}}}", "\"sources\"", "must be one folder name")]
    [InlineData("{\"sources\": {\"\": {\"kind\": \"git_local\", \"rel_path\": \"x\"}}}", "\"sources\"", "must be one folder name")]
    [InlineData("{\"sources\": {\"buildinfo.full.json\": {\"kind\": \"git_local\", \"rel_path\": \"x\"}}}", "\"sources\"", "name the source otherwise")]
    [InlineData("{\"single_source\": {\"kind\": \"url\", \"url\": \"local.txt\", \"sha1\": \"daf17ef5fe13c5ad4e89bf275a9b5bffdf6b7776\"}}", "\"single_source\".\"url\"", "use http://, https:// or file://")]
    [InlineData("{\"single_source\": {\"kind\": \"url_extract\", \"url\": \"/abs/a.tar.gz\", \"sha1\": \"daf17ef5fe13c5ad4e89bf275a9b5bffdf6b7776\"}}", "\"single_source\".\"url\"", "file:///absolute/path")]
    [InlineData("{\"single_source\": {\"kind\": \"url\", \"url\": \"ftp://h/x\", \"sha1\": \"daf17ef5fe13c5ad4e89bf275a9b5bffdf6b7776\"}}", "\"single_source\".\"url\"", "use http://")]
    [InlineData("{\"docker\": \"Bad Name!!\"}", "\"docker\"", "not a Docker image name")]
    [InlineData("{\"docker\": \"Upper/case:1\"}", "\"docker\"", "not a Docker image name")]
    [InlineData("{\"environment\": {\"A B\": \"x\"}}", "\"environment\"", "letters, digits and underscores")]
    [InlineData("{\"environment\": {\"1A\": \"x\"}}", "\"environment\"", "letters, digits and underscores")]
    [InlineData("{\"environment\": {\"A\": \"x\\nB=evil\"}}", "\"environment\".\"A\"", "must be one line")]
    [InlineData("{\"environment\": {\"PATH\": \"/evil\"}}", "\"environment\"", "are set by activation")]
    [InlineData("{\"environment\": {\"LD_LIBRARY_PATH\": \"/x\"}}", "\"environment\"", "a package cannot set them")]
    public void Wrong_types_name_the_field_and_value(string buildinfo, string field, string problem)
    {
        var ex = Refused(buildinfo);
        ex.Field.ShouldBe(field);
        ex.Message.ShouldContain(problem);
        ex.Message.ShouldContain("pkg/buildinfo.json");
    }

    [Fact]
    public void Requires_an_exact_id_is_refused_with_the_fix()
    {
        var ex = Refused("{\"requires\": [\"libevent\", \"zlib\", \"openssl--1.0\"]}");
        ex.Field.ShouldBe("\"requires\"[2]");
        ex.Found.ShouldBe("\"openssl--1.0\"");
        ex.Message.ShouldContain("exact package id is not allowed");
        ex.Message.ShouldContain("\"openssl\"");
    }

    /// <summary>
    /// A name whose ids make file names longer than 255 bytes failed only when its tarball's temporary file was created,
    /// at the end of its build; it is refused when the tree is loaded, naming the folder and the limit.
    /// </summary>
    [Fact]
    public void A_package_name_too_long_for_its_file_names_is_refused_when_the_tree_loads()
    {
        var longest = new string('a', PackageName.MaxNameLength);
        using (var fits = new TempTree().File($"{longest}/buildinfo.json", "{}").File($"{longest}/build", "", executable: true))
            PackageStore.Load(fits.Root).Get(new PackageKey(longest, null)).Name.ShouldBe(longest);
        var name = longest + "b";
        using var tree = new TempTree().File($"{name}/buildinfo.json", "{}").File($"{name}/build", "", executable: true);
        var ex = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        ex.Message.ShouldContain($"{tree.Root}/{name}: the package name is {name.Length} characters long; at most {longest.Length} fit");
    }

    /// <summary>
    /// A variant whose name makes the cache's file names (its latest pointer's temporary file) longer than 255 bytes failed
    /// every build of it, even cached; it is refused when the tree loads.
    /// </summary>
    [Fact]
    public void A_variant_name_too_long_for_its_file_names_is_refused_when_the_tree_loads()
    {
        var longest = new string('v', PackageStore.MaxVariantLength);
        using (var fits = new TempTree().Package("a").Package("a", variant: longest))
            PackageStore.Load(fits.Root).Get(new PackageKey("a", longest)).Variant.ShouldBe(longest);
        var variant = longest + "w";
        using var tree = new TempTree().Package("a").Package("a", variant: variant);
        var ex = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        ex.Message.ShouldContain($"{tree.Root}/a/{variant}.buildinfo.json: the variant name is {variant.Length} characters long; at most {longest.Length} fit");
    }

    [Fact]
    public void A_version_extra_that_makes_the_id_too_long_is_refused_naming_the_field()
    {
        var name = new string('a', 100);
        var extra = new string('1', 40);
        using var tree = new TempTree().File($"{name}/buildinfo.json", "{\"version_extra\": \"" + extra + "\"}").File($"{name}/build", "", executable: true);
        var ex = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        ex.Message.ShouldContain("\"version_extra\"");
        ex.Message.ShouldContain("at most 37 characters");
    }

    [Fact]
    public void Requires_an_invalid_name_is_refused()
    {
        var ex = Refused("{\"requires\": [\"-bad\"]}");
        ex.Field.ShouldBe("\"requires\"[0]");
        ex.Message.ShouldContain("invalid package name");
    }

    [Fact]
    public void A_require_object_needs_name_and_variant()
    {
        var ex = Refused("{\"requires\": [{\"name\": \"openssl\"}]}");
        ex.Field.ShouldBe("\"requires\"[0]");
        ex.Message.ShouldContain("\"variant\"");
    }

    [Fact]
    public void Sources_and_single_source_together_are_refused()
    {
        var ex = Refused("{\"sources\": {}, \"single_source\": {\"kind\": \"git_local\", \"rel_path\": \".\"}}");
        ex.Message.ShouldContain("cannot both be given");
    }

    [Fact]
    public void Unknown_source_kind_lists_the_known_ones()
    {
        var ex = Refused("{\"single_source\": {\"kind\": \"svn\", \"url\": \"x\"}}");
        ex.Field.ShouldBe("\"single_source\".\"kind\"");
        ex.Message.ShouldContain("git, git_local, url, url_extract");
    }

    [Theory]
    [InlineData("{\"kind\": \"git\", \"git\": \"u\", \"ref\": \"d4678d33b223fec5d48007f8246f1ed1cda5e90d\"}", "missing \"ref_origin\"")]
    [InlineData("{\"kind\": \"git\", \"git\": \"u\", \"ref\": \"d4678d33b223fec5d48007f8246f1ed1cda5e90d\", \"ref_origin\": \"m\", \"branch\": \"x\"}", "not a key of a git source")]
    [InlineData("{\"kind\": \"url\", \"url\": \"http://x/y.tar\"}", "missing \"sha1\"")]
    [InlineData("{\"kind\": \"url_extract\", \"url\": \"http://x/y.tar\", \"sha1\": \"abc\"}", "40 lowercase hex")]
    [InlineData("{\"kind\": \"git_local\", \"rel_path\": \"/abs\"}", "relative to the package folder")]
    [InlineData("{\"kind\": \"git_local\"}", "missing \"rel_path\"")]
    public void Source_key_sets_are_exact_per_kind(string source, string problem)
    {
        var ex = Refused($"{{\"sources\": {{\"main\": {source}}}}}");
        ex.Message.ShouldContain(problem);
        ex.Message.ShouldContain("\"sources\".\"main\"");
    }

    [Theory]
    [InlineData("master")]
    [InlineData("g4678d33b223fec5d48007f8246f1ed1cda5e90d")]
    [InlineData("d4678d33")]
    public void A_git_ref_must_be_a_full_commit_sha(string reference)
    {
        var ex = Refused($"{{\"single_source\": {{\"kind\": \"git\", \"git\": \"u\", \"ref\": \"{reference}\", \"ref_origin\": \"master\"}}}}");
        ex.Field.ShouldBe("\"single_source\".\"ref\"");
        ex.Found.ShouldBe($"\"{reference}\"");
    }

    [Fact]
    public void What_pkgpanda_accepts_loads_uppercase_git_refs_and_boolean_sysctl_values()
    {
        using var tree = new TempTree()
            .File("pkg/buildinfo.json", "{\"single_source\": {\"kind\": \"git\", \"git\": \"u\", \"ref\": \"D4678D33B223FEC5D48007F8246F1ED1CDA5E90D\", \"ref_origin\": \"m\"}, " +
                                        "\"sysctl\": {\"svc\": {\"net.ipv4.ip_forward\": true}}}")
            .File("pkg/build", "");
        var info = PackageStore.Load(tree.Root).Get(new PackageKey("pkg", null));
        info.Sources.Single().ShouldBeOfType<GitSource>().Ref.ShouldBe("D4678D33B223FEC5D48007F8246F1ED1CDA5E90D");
        ((IDictionary<string, object?>)info.Sysctl!["svc"]!)["net.ipv4.ip_forward"].ShouldBe(true);
    }

    [Fact]
    public void Sha256_is_accepted_beside_or_instead_of_sha1()
    {
        using var tree = new TempTree()
            .File("pkg/buildinfo.json", $"{{\"single_source\": {{\"kind\": \"url\", \"url\": \"file://a.txt\", \"sha256\": \"{new string('a', 64)}\"}}}}")
            .File("pkg/build", "");
        var source = PackageStore.Load(tree.Root).Get(new PackageKey("pkg", null)).Sources.Single().ShouldBeOfType<UrlSource>();
        source.Name.ShouldBe("pkg");
        source.Sha256.ShouldBe(new string('a', 64));
        source.Sha1.ShouldBeNull();
    }

    [Fact]
    public void A_nameless_variant_file_is_refused()
    {
        var ex = Refused("{}", ".buildinfo.json");
        ex.Message.ShouldContain(".buildinfo.json");
        ex.Message.ShouldContain("default variant");
    }

    [Fact]
    public void An_invalid_package_folder_name_is_refused()
    {
        using var tree = new TempTree().Package("bad--name");
        var ex = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        ex.Message.ShouldContain("bad--name");
    }

    [Fact]
    public void A_missing_packages_folder_is_a_clear_error()
    {
        var ex = Should.Throw<BuildError>(() => PackageStore.Load("/nonexistent/packages"));
        ex.Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Loading_never_writes_into_the_tree()
    {
        using var tree = new TempTree().File("pkg/buildinfo.json", "{\"oops\": 1}").File("pkg/build", "");
        var before = Directory.GetFileSystemEntries(tree.Root, "*", SearchOption.AllDirectories).Order().ToList();
        Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));
        Directory.GetFileSystemEntries(tree.Root, "*", SearchOption.AllDirectories).Order().ToList().ShouldBe(before);
    }
}
