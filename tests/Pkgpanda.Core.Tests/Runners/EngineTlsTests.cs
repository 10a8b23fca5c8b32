using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pkgpanda.Core.Runners;
using Pkgpanda.EndToEnd.Tests;

namespace Pkgpanda.Core.Tests.Runners;

/// <summary>Client certificates for TLS engines: read once, each unusable file named; the engine's certificate checked against our CA.</summary>
public class EngineTlsTests
{
    [Fact]
    public void A_given_folder_is_used_as_an_absolute_path()
    {
        var tls = EngineTls.Resolve("certs");
        tls.ShouldNotBeNull();
        tls.CertPath.ShouldBe(Path.GetFullPath("certs"));
        tls.KeyPath.ShouldBe(Path.Combine(Path.GetFullPath("certs"), "key.pem"));
    }

    [Fact]
    public void The_certificate_and_key_are_read_from_the_folder()
    {
        using var tree = new TempTree();
        using var ca = new TlsCertificates("test-ca");
        ca.WriteClient(tree.Root);
        var client = new EngineTls(tree.Root).ClientCertificate;
        client.Subject.ShouldBe("CN=pkgpanda-test-client");
        client.HasPrivateKey.ShouldBeTrue();
    }

    [Theory]
    [InlineData("ca.pem")]
    [InlineData("cert.pem")]
    [InlineData("key.pem")]
    public void A_missing_file_is_named(string file)
    {
        using var tree = new TempTree();
        using var ca = new TlsCertificates("test-ca");
        ca.WriteClient(tree.Root);
        File.Delete(tree.PathOf(file));
        var fault = Should.Throw<EnvironmentFault>(() => new EngineTls(tree.Root).ClientCertificate);
        fault.Message.ShouldStartWith($"{tree.PathOf(file)}: no such file");
    }

    [Theory]
    [InlineData("ca.pem", "not a PEM certificate")]
    [InlineData("cert.pem", "not a PEM certificate")]
    [InlineData("key.pem", "not the private key of")]
    public void A_file_that_is_not_what_it_should_be_is_named(string file, string expected)
    {
        using var tree = new TempTree();
        using var ca = new TlsCertificates("test-ca");
        ca.WriteClient(tree.Root);
        File.WriteAllText(tree.PathOf(file), "hello\n");
        var fault = Should.Throw<EnvironmentFault>(() => new EngineTls(tree.Root).ClientCertificate);
        fault.Message.ShouldStartWith($"{tree.PathOf(file)}: {expected}");
    }

    [Fact]
    public void A_key_of_another_certificate_is_named()
    {
        using var tree = new TempTree();
        using var ca = new TlsCertificates("test-ca");
        ca.WriteClient(tree.PathOf("a"));
        ca.WriteClient(tree.PathOf("b"));
        File.Copy(tree.PathOf("b/key.pem"), tree.PathOf("a/key.pem"), overwrite: true);
        var fault = Should.Throw<EnvironmentFault>(() => new EngineTls(tree.PathOf("a")).ClientCertificate);
        fault.Message.ShouldStartWith($"{tree.PathOf("a/key.pem")}: not the private key of {tree.PathOf("a/cert.pem")}");
    }

    [Fact]
    public void An_engine_certificate_is_trusted_only_when_our_CA_signed_it_and_it_names_the_host()
    {
        using var tree = new TempTree();
        using var ca = new TlsCertificates("test-ca");
        using var other = new TlsCertificates("other-ca");
        ca.WriteClient(tree.PathOf("client"));
        ca.WriteServer(tree.PathOf("ours"));
        other.WriteServer(tree.PathOf("theirs"));
        var tls = new EngineTls(tree.PathOf("client"));
        using var ours = X509Certificate2.CreateFromPem(File.ReadAllText(tree.PathOf("ours/server-cert.pem")));
        using var theirs = X509Certificate2.CreateFromPem(File.ReadAllText(tree.PathOf("theirs/server-cert.pem")));

        tls.Distrust(ours, SslPolicyErrors.RemoteCertificateChainErrors, "127.0.0.1").ShouldBeNull();
        tls.Distrust(theirs, SslPolicyErrors.None, "127.0.0.1").ShouldNotBeNull().ShouldContain($"is not signed by the CA in {tree.PathOf("client/ca.pem")}");
        tls.Distrust(ours, SslPolicyErrors.RemoteCertificateNameMismatch, "build-2.example").ShouldNotBeNull().ShouldContain("does not name build-2.example");
        tls.Distrust(null, SslPolicyErrors.RemoteCertificateNotAvailable, "127.0.0.1").ShouldBe("it presented no certificate");
    }

    [Fact]
    public void An_engine_certificate_issued_by_an_intermediate_of_our_CA_is_trusted_through_the_chain_it_presents()
    {
        using var tree = new TempTree();
        using var ca = new TlsCertificates("test-ca");
        ca.WriteClient(tree.Root);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-intermediate", intermediateKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var issued = request.Create(ca.Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3]);
        using var intermediate = issued.CopyWithPrivateKey(intermediateKey);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=engine", serverKey, HashAlgorithmName.SHA256);
        using var server = serverRequest.Create(intermediate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [4, 5, 6]);
        var tls = new EngineTls(tree.Root);

        tls.Distrust(server, SslPolicyErrors.RemoteCertificateChainErrors, "127.0.0.1").ShouldNotBeNull();
        using var presented = new X509Chain();
        presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        presented.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        presented.ChainPolicy.ExtraStore.Add(issued);
        presented.Build(server);
        tls.Distrust(server, SslPolicyErrors.RemoteCertificateChainErrors, "127.0.0.1", presented).ShouldBeNull();
    }
}
