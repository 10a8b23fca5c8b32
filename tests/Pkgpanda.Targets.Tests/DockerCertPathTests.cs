using System.Text;
using Pkgpanda.Targets.Components;

namespace Pkgpanda.Targets.Tests;

/// <summary>
/// --docker-cert-path, or DockerCertPath in .nuke/parameters.json (relative to the root): the client certificates of
/// tcp:// engines, read before any engine is asked, a missing one named in this front end's words. (No engine needed.)
/// </summary>
public class DockerCertPathTests
{
    private sealed class Consumer : PkgpandaBuild
    {
        public Consumer() => PackagesDir = "tree";
    }

    private static TestRoot TreeRoot()
    {
        var root = new TestRoot();
        var dir = Directory.CreateDirectory(Path.Combine(root.Path, "tree", "base")).FullName;
        File.WriteAllText(Path.Combine(dir, "buildinfo.json"), "{}");
        File.WriteAllText(Path.Combine(dir, "build"), "#!/bin/sh\n", new UTF8Encoding(false));
        return root;
    }

    [Fact]
    public async Task The_folder_in_parameters_json_is_relative_to_the_root_and_a_missing_certificate_is_named()
    {
        using var root = TreeRoot();
        root.WriteParameters("parameters.json", "{\"DockerCertPath\": \"certs/build\", \"DockerHost\": [\"tcp://127.0.0.1:1\"]}");

        var result = await root.RunAsync(new Consumer(), "Setup", defaultTarget: "Hash");

        result.ExitCode.ShouldBe(BuildHost.ExitFailed, result.Output);
        result.Output.ShouldContain($"{Path.Combine(root.Path, "certs", "build", "ca.pem")}: no such file");
        result.Output.ShouldContain("--docker-cert-path, or DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH or ~/.docker");
        result.Output.ShouldNotContain("EngineTls.");
        result.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task The_certificates_are_not_read_for_engines_on_unix_sockets()
    {
        using var root = TreeRoot();
        var socket = $"unix:///tmp/pkgpanda-none-{Guid.NewGuid():N}.sock";

        var result = await root.RunAsync(new Consumer(), $"Setup --docker-host {socket} --docker-cert-path nowhere", defaultTarget: "Hash");

        result.ExitCode.ShouldBe(BuildHost.ExitFailed, result.Output);
        result.Output.ShouldContain($"No Docker engine answers at {socket}");
        result.Output.ShouldNotContain("ca.pem");
    }
}
