using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A certificate authority made in the test (.NET's CertificateRequest, ECDSA P-256), and the PEM folders Docker uses:
/// a server's for <c>dockerd --tlscacert --tlscert --tlskey</c>, a client's (ca.pem, cert.pem, key.pem) for the
/// docker CLI's DOCKER_CERT_PATH and our --docker-cert-path.
/// </summary>
public sealed class TlsCertificates : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TlsCertificates(string name)
    {
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    public X509Certificate2 Authority { get; }

    public string AuthorityPem => Authority.ExportCertificatePem();

    /// <summary>Writes ca.pem, server-cert.pem and server-key.pem for an engine reached as 127.0.0.1 / localhost.</summary>
    public void WriteServer(string folder, X509Certificate2? caOverride = null)
    {
        var (cert, key) = Issue("CN=pkgpanda-test-engine", server: true);
        Write(folder, ("ca.pem", (caOverride ?? Authority).ExportCertificatePem()), ("server-cert.pem", cert), ("server-key.pem", key));
    }

    /// <summary>Writes ca.pem (the CA the client trusts: this one unless given), cert.pem and key.pem.</summary>
    public string WriteClient(string folder, X509Certificate2? trust = null)
    {
        var (cert, key) = Issue("CN=pkgpanda-test-client", server: false);
        Write(folder, ("ca.pem", (trust ?? Authority).ExportCertificatePem()), ("cert.pem", cert), ("key.pem", key));
        return folder;
    }

    private (string Cert, string Key) Issue(string subject, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static void Write(string folder, params (string Name, string Text)[] files)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(folder, name), text + "\n");
    }

    public void Dispose()
    {
        Authority.Dispose();
        _key.Dispose();
    }
}
