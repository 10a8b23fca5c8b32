using Xunit.Abstractions;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A remote engine exposed the safe way, <c>dockerd --tlsverify</c> (<see cref="ExtraEngine"/> with TLS): builds
/// over it with our client certificate give a local build's ids and bytes; every TLS mistake is one sentence.
/// </summary>
[Collection("docker")]
public class EngineTlsTests(ITestOutputHelper output)
{
    private const string Builder = "dcos/dcos-builder:dcos-builder_dockerdir-latest";

    // The docker CLI's variables of whoever runs the tests must not choose for them.
    private static Dictionary<string, string> Env(string? tlsVerify = null, string? certPath = null) =>
        new() { ["DOCKER_TLS_VERIFY"] = tlsVerify ?? "", ["DOCKER_CERT_PATH"] = certPath ?? "", ["DOCKER_HOST"] = "" };

    private static Dictionary<string, byte[]> Tarballs(string packagesDir) =>
        Directory.GetFiles(Path.Combine(packagesDir, "cache", "packages"), "*.tar.xz", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    /// <summary>The pool mixes a TLS engine with one on a unix socket; the image travels between them with its id.</summary>
    [Fact]
    public async Task A_tree_built_over_a_TLS_engine_and_a_plain_one_has_the_ids_and_bytes_of_a_local_build()
    {
        using var ca = new TlsCertificates("pkgpanda-test-ca");
        using var engine = await ExtraEngine.StartAsync(ca);
        using var plain = await ExtraEngine.StartAsync();
        // The TLS engine gets the builder image as a user brings it; the tool copies it to the other through TLS.
        await engine.LoadFromMainAsync(Builder);
        using var local = ExampleTree.Empty();
        using var remote = ExampleTree.Empty();
        SyntheticTree.Layered(local.Root, 2, 2, 1);
        SyntheticTree.Layered(remote.Root, 2, 2, 1);
        var certs = ca.WriteClient(Path.Combine(remote.Repository, "certs"));

        var one = await Cli.RunAsync(["--target", "Build", "--packages-dir", local.Root], environment: Env());
        // The certificates serve the tcp:// engine; the unix socket ignores them.
        var two = await Cli.RunAsync(["--target", "Build", "--packages-dir", remote.Root, "--docker-host", $"{engine.TlsAddress}#1", $"{plain.Address}#1",
            "--docker-cert-path", certs], environment: Env());
        // The docker CLI's own convention reaches it too: DOCKER_TLS_VERIFY with DOCKER_CERT_PATH (and DOCKER_HOST).
        var cli = await Cli.RunAsync(["--target", "Hash", "--packages-dir", remote.Root],
            environment: new Dictionary<string, string>(Env("1", certs)) { ["DOCKER_HOST"] = engine.TlsAddress! });
        // DOCKER_TLS_VERIFY alone: the certificates in ~/.docker.
        var home = Path.Combine(remote.Repository, "home");
        ca.WriteClient(Path.Combine(home, ".docker"));
        var byHome = await Cli.RunAsync(["--target", "Hash", "--packages-dir", remote.Root],
            environment: new Dictionary<string, string>(Env("1")) { ["DOCKER_HOST"] = engine.TlsAddress!, ["HOME"] = home });

        one.ExitCode.ShouldBe(0, one.ToString());
        two.ExitCode.ShouldBe(0, two.ToString());
        cli.ExitCode.ShouldBe(0, cli.ToString());
        byHome.ExitCode.ShouldBe(0, byHome.ToString());
        var a = Tarballs(local.Root);
        var b = Tarballs(remote.Root);
        a.Count.ShouldBe(4);
        b.Keys.Order().ShouldBe(a.Keys.Order());
        foreach (var (name, bytes) in a) b[name].ShouldBe(bytes, $"{name} differs between the local build and the one over TLS");
        foreach (var id in a.Keys.Select(k => k[..^".tar.xz".Length]))
        {
            cli.Output.ShouldContain(id);
            byHome.Output.ShouldContain(id);
        }
        two.Output.ShouldContain($"on {engine.TlsAddress}");
        two.Output.ShouldContain($"on {plain.Address}");
        (await engine.StartedContainersAsync()).ShouldBeGreaterThan(0);
        (await plain.StartedContainersAsync()).ShouldBeGreaterThan(0);
        (await plain.ImageIdAsync(Builder)).ShouldBe(await engine.ImageIdAsync(Builder));
        (await engine.ContainersAsync()).ShouldBeEmpty();
        (await plain.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Each_TLS_mistake_fails_with_one_sentence_naming_the_engine_and_the_cause()
    {
        using var ca = new TlsCertificates("pkgpanda-test-ca");
        using var stranger = new TlsCertificates("pkgpanda-test-other-ca");
        using var engine = await ExtraEngine.StartAsync(ca);
        using var tree = ExampleTree.Empty();
        SyntheticTree.Layered(tree.Root, 1, 1, 0);
        var address = engine.TlsAddress!;
        // A client certificate from a CA the engine does not trust; a CA that did not sign the engine's certificate.
        var foreignClient = stranger.WriteClient(Path.Combine(tree.Repository, "foreign-client"), trust: ca.Authority);
        var wrongCa = ca.WriteClient(Path.Combine(tree.Repository, "wrong-ca"), trust: stranger.Authority);
        var noKey = ca.WriteClient(Path.Combine(tree.Repository, "no-key"));
        File.Delete(Path.Combine(noKey, "key.pem"));

        // The engine's plain API socket on a tcp port: client certificates offered to an engine that speaks no TLS.
        using var plain = new UnixRelay(new Uri(engine.Address).AbsolutePath);
        var plainAddress = $"tcp://127.0.0.1:{plain.Port}";

        var cases = new (string[] Args, string[] Expected)[]
        {
            (["--docker-host", plainAddress, "--docker-cert-path", noKey.Replace("no-key", "foreign-client")],
                [$"The Docker engine at {plainAddress} does not speak TLS on that port"]),
            (["--docker-cert-path", foreignClient], [$"The Docker engine at {address} refused our client certificate {foreignClient}/cert.pem"]),
            (["--docker-cert-path", wrongCa], [$"The Docker engine at {address} is not trusted", $"is not signed by the CA in {wrongCa}/ca.pem"]),
            ([], [$"The Docker engine at {address} speaks TLS (dockerd --tlsverify) and no client certificates were given", "--docker-cert-path"]),
            (["--docker-cert-path", noKey], [$"{noKey}/key.pem: no such file", "--docker-cert-path"]),
        };
        foreach (var (args, expected) in cases)
        {
            var result = await Cli.RunAsync(["--target", "Build", "--packages-dir", tree.Root, .. args.Contains("--docker-host") ? args : ["--docker-host", address, .. args]],
                environment: Env());
            var shown = $"{string.Join(' ', args)}:\n{result}";
            output.WriteLine(result.Output.Split('\n').FirstOrDefault(l => l.Contains("[ERR]", StringComparison.Ordinal)) ?? shown);
            result.ExitCode.ShouldBe(1, shown);
            foreach (var text in expected) result.Output.ShouldContain(text, Case.Sensitive, shown);
            result.Output.ShouldNotContain("   at ", Case.Sensitive, shown);
            result.Output.ShouldNotContain("This is a bug", Case.Sensitive, shown);
            result.Output.ShouldNotContain("Starting dockerd", Case.Sensitive, shown);
            // A certificate mistake stops the run; it is not an engine that is down and gets left out.
            result.Output.ShouldNotContain("does not answer", Case.Sensitive, shown);
        }
        Directory.Exists(Path.Combine(tree.Root, "cache", "packages")).ShouldBeFalse();
        (await engine.ContainersAsync()).ShouldBeEmpty();
        (await engine.StartedContainersAsync()).ShouldBe(0);
    }
}
