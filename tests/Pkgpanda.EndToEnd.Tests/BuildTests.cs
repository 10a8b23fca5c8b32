using System.Formats.Tar;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>./build.sh --target Build against the real Docker engine.</summary>
[Collection("docker")]
public class BuildTests
{
    private static readonly Regex IdPattern = new(@"\b([a-z][a-z0-9@._+\-]*)--([0-9a-f]{40})\b");

    private static Dictionary<string, string> BuiltTarballs(ExampleTree tree) =>
        Directory.EnumerateFiles(Path.Combine(tree.Cache, "packages"), "*.tar.xz", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), p => p);

    [Fact]
    public async Task Builds_mesos_and_its_requires_then_nothing_on_the_second_run()
    {
        using var tree = new ExampleTree();
        var first = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "mesos"));
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Output.ShouldContain("Total: 5 packages: 5 built");
        var tarballs = BuiltTarballs(tree);
        tarballs.Keys.Select(k => IdPattern.Match(k).Groups[1].Value).Order().ShouldBe(["boost-libs", "curl", "libevent", "mesos", "openssl"]);

        var second = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "mesos"));
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Output.ShouldContain("Total: 5 packages: 0 built, 5 up to date");
        second.Output.ShouldNotContain(": building");
        // Counted, not told one line each (a no-op of 600 packages printed 600): the summary's table lists them.
        second.Output.ShouldNotContain(": up to date (");
        second.Output.ShouldContain("[5/5] 5 done, 0 failed");

        // latest points at the built id, and is written for each package
        var mesosTarball = tarballs.Single(t => t.Key.StartsWith("mesos--")).Value;
        File.ReadAllText(Path.Combine(tree.Cache, "packages", "mesos", "latest")).ShouldBe(Path.GetFileName(mesosTarball)[..^".tar.xz".Length]);
    }

    [Fact]
    public async Task A_package_has_pkgpanda_layout_and_its_build_saw_its_requires_activated()
    {
        using var tree = new ExampleTree();
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "mesos"));
        result.ExitCode.ShouldBe(0, result.ToString());
        var tarballs = BuiltTarballs(tree);
        var mesosName = tarballs.Keys.Single(k => k.StartsWith("mesos--"));
        var mesosId = mesosName[..^".tar.xz".Length];
        var mesos = await Tarball.ReadAsync(tarballs[mesosName]);
        var (entries, contents) = (mesos.Entries, mesos.Files);

        entries.Keys.First().ShouldBe("./");
        entries.Keys.ShouldBe(entries.Keys.OrderBy(k => k == "./" ? "" : k, StringComparer.Ordinal).ToList());
        entries.Values.ShouldAllBe(e => e.Uid == 0 && e.Gid == 0 && e.ModificationTime == DateTimeOffset.UnixEpoch);
        entries["./bin/mesos-master"].Mode.HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        entries.ShouldContainKey("./dcos.target.wants_master/dcos-mesos-master.service");

        using var pkginfo = JsonDocument.Parse(contents["./pkginfo.json"]);
        var p = pkginfo.RootElement;
        p.GetProperty("requires").EnumerateArray().Select(e => e.GetString()).ShouldBe(["openssl", "libevent", "boost-libs", "curl"]);
        p.GetProperty("environment").GetProperty("JAVA_LIBRARY_PATH").GetString().ShouldBe("/opt/mesosphere/lib");
        p.GetProperty("state_directory").GetBoolean().ShouldBeTrue();
        p.GetProperty("username").GetString().ShouldBe("dcos_mesos");
        p.GetProperty("sysctl").GetProperty("dcos-mesos-slave").GetProperty("vm.swappiness").GetInt32().ShouldBe(1);

        using var full = JsonDocument.Parse(contents["./buildinfo.full.json"]);
        var f = full.RootElement;
        f.GetProperty("name").GetString().ShouldBe("mesos");
        f.GetProperty("variant").ValueKind.ShouldBe(JsonValueKind.Null);
        f.GetProperty("package_version").GetString().ShouldBe(mesosId.Split("--")[1]);
        var ids = f.GetProperty("build_ids");
        ids.GetProperty("pkgpanda_version").GetString().ShouldBe("0.2");
        ids.GetProperty("docker").GetString()!.ShouldStartWith("sha256:");
        ids.GetProperty("requires").EnumerateArray().Select(e => e.GetString()!.Split("--")[0]).Order().ShouldBe(["boost-libs", "curl", "libevent", "openssl"]);
        ids.GetProperty("extra_source").GetString().ShouldBe(f.GetProperty("extra_source").GetString());

        // What the build script found under /opt/mesosphere: its requires, activated, with their environment.
        System.Text.Encoding.UTF8.GetString(contents["./etc/build-saw-active.txt"]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ShouldBe(["boost-libs", "curl", "libevent", "openssl"]);
        var env = System.Text.Encoding.UTF8.GetString(contents["./etc/build-saw-environment.txt"]);
        env.ShouldStartWith("# Pkgpanda provided environment variables\nLD_LIBRARY_PATH=/opt/mesosphere/lib\nPATH=/opt/mesosphere/bin:/usr/bin:/bin:/sbin\n");
        env.ShouldContain("OPENSSL_CONF=/opt/mesosphere/etc/openssl.cnf");

        // boost-libs was built in its own docker/ image, FROM the default builder.
        var boost = await Tarball.ReadAsync(tarballs[tarballs.Keys.Single(k => k.StartsWith("boost-libs--"))]);
        boost.Text("./lib/boost-toolchain.txt").ShouldContain("boost toolchain");
    }

    [Fact]
    public async Task Tarballs_are_byte_identical_across_fresh_caches_and_pass_xz_and_tar()
    {
        using var a = new ExampleTree();
        using var b = new ExampleTree();
        (await Cli.RunAsync(a.Args("--target", "Build", "--package", "curl"))).ExitCode.ShouldBe(0);
        (await Cli.RunAsync(b.Args("--target", "Build", "--package", "curl", "--parallel", "1"))).ExitCode.ShouldBe(0);
        var ta = BuiltTarballs(a);
        var tb = BuiltTarballs(b);
        ta.Keys.Order().ShouldBe(tb.Keys.Order());
        foreach (var (name, path) in ta)
        {
            File.ReadAllBytes(path).ShouldBe(File.ReadAllBytes(tb[name]), name);
            (await Tool.RunAsync("xz", "-t", path)).ExitCode.ShouldBe(0);
            (await Tool.RunAsync("tar", "-tJf", path)).ExitCode.ShouldBe(0);
        }
    }

    [Fact]
    public async Task A_failing_script_reports_its_exit_code_and_log_tail_and_publishes_nothing()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/sh\necho preparing libevent\necho 'configure: error: no compiler' >&2\nexit 3\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "mesos"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("exited with code 3");
        result.Output.ShouldContain("| configure: error: no compiler");
        result.Output.ShouldContain("mesos: skipped, requires libevent, which failed");
        result.Output.ShouldNotContain("   at ");
        Directory.GetFiles(Path.Combine(tree.Cache, "packages", "libevent")).Where(f => f.EndsWith(".tar.xz")).ShouldBeEmpty();
        File.Exists(Path.Combine(tree.Cache, "packages", "libevent", "latest")).ShouldBeFalse();
        var log = Directory.GetFiles(Path.Combine(tree.Cache, "packages", "libevent"), "*.log").Single();
        File.ReadAllText(log).ShouldContain("preparing libevent");
        ScratchFolders(tree).ShouldBeEmpty();
    }

    [Fact]
    public async Task Keep_failed_keeps_the_failed_build_folder_for_inspection()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/sh\nmkdir -p $PKG_PATH/lib\necho half > $PKG_PATH/lib/partial\nexit 4\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent", "--keep-failed"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("is kept at");
        var kept = Directory.GetDirectories(Path.Combine(tree.Cache, "failed")).Single();
        Path.GetFileName(kept).ShouldStartWith("libevent--");
        File.ReadAllText(Path.Combine(kept, "result", "lib", "partial")).ShouldBe("half\n");
        File.Exists(Path.Combine(kept, "src", "buildinfo.full.json")).ShouldBeTrue();
        ScratchFolders(tree).ShouldBeEmpty();
    }

    [Fact]
    public async Task Dont_clean_after_build_keeps_every_build_folder_and_keep_failed_only_the_failed_ones()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("curl/build"), "#!/bin/sh\nexit 5\n");
        var all = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "curl", "--dont-clean-after-build"));
        all.ExitCode.ShouldNotBe(0, all.ToString());
        var kept = Directory.GetDirectories(Path.Combine(tree.Cache, "kept")).Single();
        Path.GetFileName(kept).ShouldStartWith("openssl--");
        all.Output.ShouldContain($"is kept at {kept}");
        File.Exists(Path.Combine(kept, "result", "pkginfo.json")).ShouldBeTrue();
        File.Exists(Path.Combine(kept, "src", "buildinfo.full.json")).ShouldBeTrue();
        Directory.Exists(Path.Combine(kept, "install")).ShouldBeTrue();
        Path.GetFileName(Directory.GetDirectories(Path.Combine(tree.Cache, "failed")).Single()).ShouldStartWith("curl--");

        var onlyFailed = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent", "--keep-failed"));
        onlyFailed.ExitCode.ShouldBe(0, onlyFailed.ToString());
        Directory.GetDirectories(Path.Combine(tree.Cache, "kept")).ShouldBe([kept]);
        ScratchFolders(tree).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_script_whose_interpreter_is_missing_from_the_image_says_so()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/bash\necho hi\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("The script starts with \"#!/bin/bash\", and that interpreter is not in the image");

        // Windows line endings: the interpreter asked for is "/bin/sh\r", which the hint names, not "/bin/sh".
        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/sh\r\necho hi\r\n");
        var crlf = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        crlf.ExitCode.ShouldNotBe(0);
        crlf.Output.ShouldContain("The script has Windows line endings");
        crlf.Output.ShouldNotContain("that interpreter is not in the image");
    }

    [Fact]
    public async Task A_build_script_linked_from_outside_the_package_folder_is_a_clear_error()
    {
        using var tree = new ExampleTree();
        var outside = Path.Combine(tree.Root, "shared-build.sh");
        File.WriteAllText(outside, "#!/bin/sh\nmkdir -p $PKG_PATH\n");
        File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("755", 8));
        File.Delete(tree.PathOf("libevent/build"));
        File.CreateSymbolicLink(tree.PathOf("libevent/build"), outside);
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("libevent/buildinfo.json: \"build_script\" = \"build\"");
        result.Output.ShouldContain($"is a symbolic link to {outside}, which the build cannot see");
        result.Output.ShouldNotContain("   at ");

        // A relative link to a file inside the package folder is fine.
        File.Move(outside, tree.PathOf("libevent/real-build"));
        File.Delete(tree.PathOf("libevent/build"));
        File.CreateSymbolicLink(tree.PathOf("libevent/build"), "real-build");
        var inside = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        inside.ExitCode.ShouldBe(0, inside.ToString());
    }

    [Fact]
    public async Task A_reserved_unit_is_refused()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/sh\nmkdir -p $PKG_PATH/dcos.target.wants_master\ntouch $PKG_PATH/dcos.target.wants_master/dcos-setup.service\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("dcos-setup.service");
        Directory.GetFiles(Path.Combine(tree.Cache, "packages", "libevent")).Where(f => f.EndsWith(".tar.xz")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_missing_or_not_executable_build_script_is_a_clear_error()
    {
        using var tree = new ExampleTree();
        File.Delete(tree.PathOf("libevent/build"));
        var missing = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        missing.ExitCode.ShouldNotBe(0);
        missing.Output.ShouldContain("libevent/buildinfo.json: \"build_script\" = \"build\"");
        missing.Output.ShouldContain("does not exist");

        File.WriteAllText(tree.PathOf("libevent/build"), "#!/bin/sh\n");
        var notExecutable = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        notExecutable.ExitCode.ShouldNotBe(0);
        notExecutable.Output.ShouldContain("chmod +x");
    }

    [Fact]
    public async Task A_missing_image_names_the_image()
    {
        using var tree = new ExampleTree();
        File.WriteAllText(tree.PathOf("libevent/buildinfo.json"), "{\"docker\": \"example.invalid/none:1\"}");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("\"example.invalid/none:1\" is not present");
    }

    [Fact]
    public async Task No_container_of_ours_is_left_behind()
    {
        using var tree = new ExampleTree();
        // A script of its own gives an id of its own: the engine is shared, only this run's containers are counted.
        File.WriteAllText(tree.PathOf("openssl/build"), $"#!/bin/sh\n# {Guid.NewGuid():N}\nexit 1\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "openssl"));
        var id = System.Text.RegularExpressions.Regex.Match(result.Output, "openssl--[0-9a-f]{40}").Value;
        id.ShouldNotBeEmpty(result.ToString());
        var ps = await Tool.RunAsync("docker", "ps", "-a", "--filter", $"label=io.pkgpanda.build={id}", "--format", "{{.ID}}");
        ps.ExitCode.ShouldBe(0, ps.Output);
        ps.Output.Trim().ShouldBeEmpty();
    }

    internal static string[] ScratchFolders(ExampleTree tree) =>
        Directory.Exists(Path.Combine(tree.Cache, "tmp")) ? Directory.GetDirectories(Path.Combine(tree.Cache, "tmp")) : [];
}
