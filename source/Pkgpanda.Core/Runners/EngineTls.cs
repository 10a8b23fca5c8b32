using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// How this machine talks TLS to <c>tcp://</c> engines, by the docker CLI's convention: a folder holding
/// <c>ca.pem</c> (the CA that signed the engines' certificates), <c>cert.pem</c> and <c>key.pem</c> (our client
/// certificate, which an engine started with <c>dockerd --tlsverify</c> requires). The engine's certificate must be
/// signed by that CA and name the address's host; there is no mode without verification. Unix sockets ignore it.
/// The files are read once, when the first tcp engine's client is made, so a run on local sockets never needs them.
/// </summary>
public sealed class EngineTls
{
    public const string CaFile = "ca.pem";
    public const string CertFile = "cert.pem";
    public const string KeyFile = "key.pem";

    private readonly Lazy<(X509Certificate2 Client, X509Certificate2Collection Authorities)> _loaded;

    public EngineTls(string certPath)
    {
        CertPath = certPath;
        _loaded = new Lazy<(X509Certificate2, X509Certificate2Collection)>(Load);
    }

    /// <summary>The folder with ca.pem, cert.pem and key.pem.</summary>
    public string CertPath { get; }

    public string CaPath => Path.Combine(CertPath, CaFile);

    public string ClientCertPath => Path.Combine(CertPath, CertFile);

    public string KeyPath => Path.Combine(CertPath, KeyFile);

    /// <summary>
    /// The folder given (the DockerCertPath parameter, which the docker CLI's DOCKER_CERT_PATH also sets), else
    /// <c>~/.docker</c> when DOCKER_TLS_VERIFY is set (to anything, as for the docker CLI), else null: plain tcp.
    /// </summary>
    public static EngineTls? Resolve(string? certPath)
    {
        if (!string.IsNullOrEmpty(certPath)) return new EngineTls(Path.GetFullPath(certPath));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY"))) return null;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new EngineTls(Path.Combine(home, ".docker"));
    }

    /// <summary>Our client certificate with its key; an <see cref="EnvironmentFault"/> naming the file when one is missing or unusable.</summary>
    public X509Certificate2 ClientCertificate => _loaded.Value.Client;

    /// <summary>
    /// Null when <paramref name="certificate"/> (what the engine at <paramref name="host"/> presented) is signed by our
    /// CA (through the <paramref name="presented"/> intermediates, if any) and names that host; else why not, in words
    /// for a message. The system's trusted roots play no part: only our CA vouches for an engine.
    /// </summary>
    public string? Distrust(X509Certificate? certificate, SslPolicyErrors errors, string host, X509Chain? presented = null)
    {
        if (certificate is null) return "it presented no certificate";
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_loaded.Value.Authorities);
        if (presented is not null)
            foreach (var element in presented.ChainElements)
                if (element.Certificate.Thumbprint != server.Thumbprint) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        if (!chain.Build(server))
        {
            var status = chain.ChainStatus.Select(s => s.Status).FirstOrDefault(s => s != X509ChainStatusFlags.NoError);
            return status switch
            {
                X509ChainStatusFlags.NotTimeValid => $"its certificate ({server.Subject}) is not valid now (valid {server.NotBefore:u} to {server.NotAfter:u})",
                _ => $"its certificate ({server.Subject}, issued by {server.Issuer}) is not signed by the CA in {CaPath}",
            };
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"its certificate ({server.Subject}) does not name {host} (the address must be one of the names or IP addresses the engine's certificate was made for)";
        return null;
    }

    private (X509Certificate2, X509Certificate2Collection) Load()
    {
        var caText = Read(CaPath, "the CA certificate");
        var certText = Read(ClientCertPath, "our client certificate");
        var keyText = Read(KeyPath, "our client certificate's key");
        var authorities = new X509Certificate2Collection();
        try { authorities.ImportFromPem(caText); }
        catch (CryptographicException) { authorities.Clear(); }
        if (authorities.Count == 0)
            throw new EnvironmentFault($"{CaPath}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----, as dockerd's --tlscacert).");
        try
        {
            return (X509Certificate2.CreateFromPem(certText, keyText), authorities);
        }
        // A key that parses but belongs to another certificate is an ArgumentException, one that does not parse a CryptographicException.
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            if (!certText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                throw new EnvironmentFault($"{ClientCertPath}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----).");
            throw new EnvironmentFault($"{KeyPath}: not the private key of {ClientCertPath} (expected the PEM key the certificate was made for).");
        }
    }

    private string Read(string path, string what)
    {
        if (Directory.Exists(path)) throw new EnvironmentFault($"{path}: a folder, where {what} should be a PEM file.");
        try { return File.ReadAllText(path); }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new EnvironmentFault($"{path}: no such file; TLS engines need {what} there " +
                                       $"({CaFile}, {CertFile} and {KeyFile} in one folder: EngineTls.Resolve(certPath)).");
        }
        catch (UnauthorizedAccessException)
        {
            throw new EnvironmentFault($"{path}: cannot read {what}: permission denied (it must be readable by this user).");
        }
        catch (IOException ex)
        {
            throw new EnvironmentFault($"{path}: cannot read {what}: {ex.Message.TrimEnd('.')}.");
        }
    }
}
