using Pkgpanda.Core.Tests.Repositories;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Two machines (two caches) sharing packages through a real nginx WebDAV repository.</summary>
[Collection("docker")]
public class SharingTests
{
    private static Dictionary<string, byte[]> Packages(ExampleTree tree) =>
        Directory.GetFiles(Path.Combine(tree.Cache, "packages"), "*.tar.xz", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    [NginxFact]
    public async Task A_publishes_and_B_downloads_every_package_without_building()
    {
        using var nginx = NginxServer.Start();
        using var a = new ExampleTree();
        using var b = new ExampleTree();
        var env = new Dictionary<string, string> { ["PKGPANDA_REPOSITORY_TOKEN"] = NginxServer.Token };
        var publish = await Cli.RunAsync(a.Args("--target", "Publish", "--repository-url", nginx.PrivateUrl), environment: env);
        publish.ExitCode.ShouldBe(0, publish.ToString());
        publish.Output.ShouldContain("Published:");

        var build = await Cli.RunAsync(b.Args("--target", "Build", "--repository-url", nginx.PrivateUrl), environment: env);
        build.ExitCode.ShouldBe(0, build.ToString());
        build.Output.ShouldContain("0 built, 0 up to date, 5 downloaded");
        build.Output.ShouldNotContain(": building");
        var pa = Packages(a);
        var pb = Packages(b);
        pb.Keys.Order().ShouldBe(pa.Keys.Order());
        foreach (var (name, bytes) in pa) pb[name].ShouldBe(bytes, name);

        (publish.Output + build.Output).ShouldNotContain(NginxServer.Token);
    }

    [NginxFact]
    public async Task A_tampered_package_on_the_server_is_refused_and_nothing_is_cached()
    {
        using var nginx = NginxServer.Start();
        using var a = new ExampleTree();
        using var b = new ExampleTree();
        (await Cli.RunAsync(a.Args("--target", "Publish", "--package", "libevent", "--repository-url", nginx.OpenUrl))).ExitCode.ShouldBe(0);
        var served = Directory.GetFiles(nginx.Documents, "libevent--*.tar.xz", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(served);
        bytes[^20] ^= 0xff;
        File.WriteAllBytes(served, bytes);

        var build = await Cli.RunAsync(b.Args("--target", "Build", "--package", "libevent", "--repository-url", nginx.OpenUrl));
        build.ExitCode.ShouldNotBe(0);
        build.Output.ShouldContain("sha256");
        var folder = Path.Combine(b.Cache, "packages", "libevent");
        (Directory.Exists(folder) ? Directory.GetFiles(folder, "*.tar.xz") : []).ShouldBeEmpty("a refused download leaves nothing in the cache");
    }

    [NginxFact]
    public async Task A_wrong_token_is_refused_without_printing_it()
    {
        using var nginx = NginxServer.Start();
        using var a = new ExampleTree();
        var result = await Cli.RunAsync(a.Args("--target", "Publish", "--package", "libevent", "--repository-url", nginx.PrivateUrl, "--repository-token", "wrong-token-value"));
        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("401");
        result.Output.ShouldNotContain("wrong-token-value");
    }

    [Fact]
    public async Task A_repository_that_does_not_answer_is_a_warning_and_the_package_is_built()
    {
        using var tree = new ExampleTree();
        var result = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "libevent", "--repository-url", "http://127.0.0.1:9/repo"));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("[WRN]");
        result.Output.ShouldContain("1 built");
    }
}
