using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Packaging;

public class ActivationTests
{
    private static readonly PackageId Mesos = PackageId.Parse("mesos--1111111111111111111111111111111111111111");
    private static readonly PackageId Java = PackageId.Parse("java--2222222222222222222222222222222222222222");
    private static readonly ActivationOptions InContainer = new() { LinkRoot = "/opt/mesosphere" };

    /// <summary>Lays out an unpacked package in the root, as the builder's unpacking would.</summary>
    private static string AddPackage(TempFolder temp, PackageId id, string pkginfo, params (string Path, string Text)[] files)
    {
        var folder = Activation.PackageFolder(temp["root"], id);
        temp.Write(Path.Combine(folder, "pkginfo.json"), pkginfo);
        foreach (var (path, text) in files) temp.Write(Path.Combine(folder, path), text);
        return folder;
    }

    private static void AddBoth(TempFolder temp)
    {
        AddPackage(temp, Mesos, """{"environment":{"MESOS_HOME":"/opt/mesosphere/active/mesos","A_FIRST":"1"},"requires":["java"]}""",
            ("bin/mesos-agent", "#!/bin/sh"), ("lib/libmesos.so", "elf"), ("lib/pkgconfig/mesos.pc", "pc"),
            ("etc/mesos/agent.conf", "conf"), ("include/mesos/mesos.hpp", "hpp"),
            ("dcos.target.wants/dcos-mesos-agent.service", "[Unit]"), ("bin_master/mesos-master", "#!/bin/sh"),
            ("bin_slave/only-on-agents", "#!/bin/sh"), ("buildinfo.full.json", """{"name":"mesos","package_version":"1111111111111111111111111111111111111111"}"""));
        AddPackage(temp, Java, """{"environment":{"JAVA_HOME":"/opt/mesosphere/active/java"}}""",
            ("bin/java", "#!/bin/sh"), ("lib/pkgconfig/java.pc", "pc"), ("share/ignored", "not a well-known folder"));
    }

    [Fact]
    public async Task Files_of_the_well_known_folders_become_links_into_their_packages_and_folders_merge()
    {
        using var temp = new TempFolder();
        AddBoth(temp);
        var root = temp["root"];

        var activated = await Activation.ActivateAsync(root, [Mesos, Java], InContainer);

        activated.Select(p => p.Id).ShouldBe([Java, Mesos]);
        new FileInfo(Path.Combine(root, "bin/mesos-agent")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Mesos}/bin/mesos-agent");
        new FileInfo(Path.Combine(root, "bin/java")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Java}/bin/java");
        new FileInfo(Path.Combine(root, "lib/pkgconfig/mesos.pc")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Mesos}/lib/pkgconfig/mesos.pc");
        new FileInfo(Path.Combine(root, "lib/pkgconfig/java.pc")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Java}/lib/pkgconfig/java.pc");
        new DirectoryInfo(Path.Combine(root, "lib/pkgconfig")).LinkTarget.ShouldBeNull("a merged folder is a real folder");
        new FileInfo(Path.Combine(root, "include/mesos/mesos.hpp")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Mesos}/include/mesos/mesos.hpp");
        new DirectoryInfo(Path.Combine(root, "active/mesos")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Mesos}");
        new DirectoryInfo(Path.Combine(root, "active/java")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Java}");
        Path.Exists(Path.Combine(root, "dcos.target.wants")).ShouldBeFalse();
        Path.Exists(Path.Combine(root, "bin/mesos-master")).ShouldBeFalse("no role was given");
        Path.Exists(Path.Combine(root, "share")).ShouldBeFalse();
        Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray().ShouldBe(
            new[] { "active", "active.buildinfo.full.json", "bin", "environment", "environment.export", "etc", "include", "lib", "packages" });
    }

    [Fact]
    public async Task Without_a_link_root_links_resolve_on_this_machine()
    {
        using var temp = new TempFolder();
        AddBoth(temp);

        await Activation.ActivateAsync(temp["root"], [Mesos, Java], new ActivationOptions());

        File.ReadAllText(temp["root/bin/java"]).ShouldBe("#!/bin/sh");
        File.ReadAllText(temp["root/active/mesos/lib/libmesos.so"]).ShouldBe("elf");
        File.ReadAllText(temp["root/environment"]).ShouldContain($"PATH={temp["root"]}/bin:/usr/bin:/bin:/sbin\n");
    }

    [Fact]
    public async Task Roles_and_systemd_units_are_activated_when_asked_for()
    {
        using var temp = new TempFolder();
        AddBoth(temp);
        var root = temp["root"];

        await Activation.ActivateAsync(root, [Mesos, Java], InContainer with { Roles = ["master"], SystemdUnits = true });

        new FileInfo(Path.Combine(root, "bin/mesos-master")).LinkTarget.ShouldBe($"/opt/mesosphere/packages/{Mesos}/bin_master/mesos-master");
        Path.Exists(Path.Combine(root, "bin/only-on-agents")).ShouldBeFalse();
        new FileInfo(Path.Combine(root, "dcos.target.wants/dcos-mesos-agent.service")).LinkTarget
            .ShouldBe($"/opt/mesosphere/packages/{Mesos}/dcos.target.wants/dcos-mesos-agent.service");
    }

    [Fact]
    public async Task Two_packages_providing_the_same_file_is_an_error_naming_both()
    {
        using var temp = new TempFolder();
        AddBoth(temp);
        temp.Write(Path.Combine(Activation.PackageFolder(temp["root"], Java), "lib/pkgconfig/mesos.pc"), "clash");

        var error = await Should.ThrowAsync<BuildError>(() => Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer));

        error.Message.ShouldBe($"Two packages provide lib/pkgconfig/mesos.pc: {Java} (its lib/pkgconfig/mesos.pc) and {Mesos} (its lib/pkgconfig/mesos.pc). " +
                               "A file in the well-known folders may come from one package, and one role, only.");
    }

    [Fact]
    public async Task A_file_clashing_with_another_packages_folder_or_a_role_file_is_an_error()
    {
        using var temp = new TempFolder();
        AddBoth(temp);
        temp.Write(Path.Combine(Activation.PackageFolder(temp["root"], Java), "lib/pkgconfig_file_or_folder"), "file");
        temp.Write(Path.Combine(Activation.PackageFolder(temp["root"], Mesos), "lib/pkgconfig_file_or_folder/x"), "folder");
        temp.Write(Path.Combine(Activation.PackageFolder(temp["root"], Mesos), "bin_master/mesos-agent"), "same name as in bin/");

        (await Should.ThrowAsync<BuildError>(() => Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer)))
            .Message.ShouldStartWith($"Two packages provide lib/pkgconfig_file_or_folder: {Java} (its lib/pkgconfig_file_or_folder) and {Mesos} (its lib/pkgconfig_file_or_folder)");
        using var again = new TempFolder();
        AddBoth(again);
        again.Write(Path.Combine(Activation.PackageFolder(again["root"], Mesos), "bin_master/mesos-agent"), "same name as in bin/");
        (await Should.ThrowAsync<BuildError>(() => Activation.ActivateAsync(again["root"], [Mesos, Java], InContainer with { Roles = ["master"] })))
            .Message.ShouldStartWith($"Two packages provide bin/mesos-agent: {Mesos} (its bin/mesos-agent) and {Mesos} (its bin_master/mesos-agent)");
    }

    [Fact]
    public async Task Environment_files_have_pkgpandas_exact_text()
    {
        using var temp = new TempFolder();
        AddBoth(temp);

        await Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer);

        File.ReadAllText(temp["root/environment"]).ShouldBe(
            "# Pkgpanda provided environment variables\n" +
            "LD_LIBRARY_PATH=/opt/mesosphere/lib\n" +
            "PATH=/opt/mesosphere/bin:/usr/bin:/bin:/sbin\n" +
            "\n" +
            $"# package: {Java}\n" +
            "JAVA_HOME=/opt/mesosphere/active/java\n" +
            "\n" +
            $"# package: {Mesos}\n" +
            "MESOS_HOME=/opt/mesosphere/active/mesos\n" +
            "A_FIRST=1\n" +
            "\n");
        File.ReadAllText(temp["root/environment.export"]).ShouldBe(
            "# Pkgpanda provided environment variables\n" +
            "export LD_LIBRARY_PATH=/opt/mesosphere/lib\n" +
            "export PATH=\"/opt/mesosphere/bin:$PATH\"\n" +
            "\n" +
            $"# package: {Java}\n" +
            "export JAVA_HOME=/opt/mesosphere/active/java\n" +
            "\n" +
            $"# package: {Mesos}\n" +
            "export MESOS_HOME=/opt/mesosphere/active/mesos\n" +
            "export A_FIRST=1\n" +
            "\n");
    }

    [Fact]
    public async Task Buildinfo_of_every_package_is_collected_by_name()
    {
        using var temp = new TempFolder();
        AddBoth(temp);

        await Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer);

        File.ReadAllText(temp["root/active.buildinfo.full.json"]).ShouldBe(
            "{\n  \"java\":null,\n  \"mesos\":{\n    \"name\":\"mesos\",\n    \"package_version\":\"1111111111111111111111111111111111111111\"\n  }\n}");
    }

    [Fact]
    public async Task Sysctl_settings_are_collected_for_the_services_a_package_ships()
    {
        using var temp = new TempFolder();
        AddPackage(temp, Mesos, """{"sysctl":{"dcos-mesos-agent":{"vm.max_map_count":"262144","net.core.somaxconn":1024},"not-shipped":{"kernel.x":"1"}}}""",
            ("dcos.target.wants_slave/dcos-mesos-agent.service", "[Unit]"));
        AddPackage(temp, Java, "{}");

        await Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer);

        File.ReadAllText(temp["root/etc/dcos-service-configuration.json"]).ShouldBe(
            "{\n  \"sysctl\":{\n    \"dcos-mesos-agent\":{\n      \"net.core.somaxconn\":1024,\n      \"vm.max_map_count\":\"262144\"\n    }\n  }\n}");
    }

    [Fact]
    public async Task Without_sysctl_the_service_configuration_is_empty()
    {
        using var temp = new TempFolder();
        AddBoth(temp);

        await Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer);

        File.ReadAllText(temp["root/etc/dcos-service-configuration.json"]).ShouldBe("{\n  \"sysctl\":{}\n}");
    }

    [Fact]
    public async Task Sysctl_without_a_service_file_is_an_error()
    {
        using var temp = new TempFolder();
        AddPackage(temp, Mesos, """{"sysctl":{"dcos-mesos-agent":{"vm.max_map_count":"262144"}}}""");

        (await Should.ThrowAsync<BuildError>(() => Activation.ActivateAsync(temp["root"], [Mesos], InContainer)))
            .Message.ShouldContain("declares sysctl settings but ships no .service file");
    }

    public static TheoryData<string, string, string> Incompatible => new()
    {
        { """{"environment":{"SAME":"1"}}""", """{"environment":{"SAME":"2"}}""", "both set the environment variable SAME" },
        { """{"environment":{"PATH":"/x"}}""", "{}", "LD_LIBRARY_PATH and PATH are set by activation" },
        { "{}", """{"requires":[{"name":"zookeeper","variant":"big"}]}""", "requires zookeeper (variant big), which is not in the set" },
        { """{"group":"dcos_java"}""", "{}", "a group needs a \"username\" too" },
        { """{"environment":"x"}""", "{}", "\"environment\" = \"x\": expected an object." },
    };

    [Theory]
    [MemberData(nameof(Incompatible))]
    public async Task Incompatible_packages_are_refused_before_anything_is_written(string javaInfo, string mesosInfo, string problem)
    {
        using var temp = new TempFolder();
        AddPackage(temp, Java, javaInfo);
        AddPackage(temp, Mesos, mesosInfo);

        (await Should.ThrowAsync<BuildError>(() => Activation.ActivateAsync(temp["root"], [Mesos, Java], InContainer))).Message.ShouldContain(problem);
        Directory.GetFileSystemEntries(temp["root"]).Select(Path.GetFileName).ShouldBe(["packages"]);
    }

    [Fact]
    public async Task Two_versions_of_one_package_are_refused()
    {
        using var temp = new TempFolder();
        var other = PackageId.Parse("java--3333333333333333333333333333333333333333");
        AddPackage(temp, Java, "{}");
        AddPackage(temp, other, "{}");

        (await Should.ThrowAsync<BuildError>(() => Activation.ActivateAsync(temp["root"], [Java, other], InContainer)))
            .Message.ShouldBe($"Packages {Java} and {other} cannot be activated together: both are package \"java\".");
    }

    [Fact]
    public async Task Install_unpacks_package_tarballs_into_the_root_and_activates_them()
    {
        using var temp = new TempFolder();
        temp.Write("results/java/pkginfo.json", """{"environment":{"JAVA_HOME":"/opt/mesosphere/active/java"}}""");
        temp.Write("results/java/bin/java", "#!/bin/sh\n", (UnixFileMode)0b111_101_101);
        await Packer.PackAsync(temp["results/java"], temp[$"cache/{Java}.tar.xz"]);

        await Activation.InstallAsync(temp["root"], [temp[$"cache/{Java}.tar.xz"]], new ActivationOptions());

        File.ReadAllText(temp["root/bin/java"]).ShouldBe("#!/bin/sh\n");
        File.GetUnixFileMode(temp[$"root/packages/{Java}/bin/java"]).ShouldBe((UnixFileMode)0b111_101_101);
        (await Should.ThrowAsync<BuildError>(() => Activation.InstallAsync(temp["other"], [temp["results/java/pkginfo.json"]], new ActivationOptions())))
            .Message.ShouldContain("must be named <name>--<version>.tar.xz");
    }
}
