using System.Net;
using System.Security.Authentication;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.X509;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// The Docker client's transport for a <c>tcp://</c> engine: TLS with our client certificate when
/// <see cref="EngineTls"/> is given, plain HTTP otherwise, and in both cases the TLS mistakes told as one sentence
/// naming the address and the cause (an <see cref="EnvironmentFault"/>) instead of a handshake trace: the engine
/// refused our certificate, its certificate is not signed by our CA, plain HTTP to a TLS port, TLS to a plain port.
/// </summary>
internal sealed class EngineConnection : IAuthProvider
{
    private readonly string _address;
    private readonly EngineTls? _tls;
    private readonly CertificateCredentials? _credentials;

    // Why the last server certificate was refused (the validation callback cannot throw through the handshake).
    private volatile string? _distrust;

    private EngineConnection(string address, EngineTls? tls)
    {
        _address = address;
        _tls = tls;
        if (tls is null) return;
        _credentials = new CertificateCredentials(tls.ClientCertificate)
        {
            ServerCertificateValidationCallback = (request, certificate, presented, errors) =>
            {
                var host = (request as System.Net.Security.SslStream)?.TargetHostName ?? address;
                _distrust = tls.Distrust(certificate, errors, host, presented);
                return _distrust is null;
            },
        };
    }

    /// <summary>The transport for <paramref name="endpoint"/>; null for a unix socket (TLS does not apply there).</summary>
    public static EngineConnection? For(Uri endpoint, EngineTls? tls) =>
        endpoint.Scheme is "tcp" or "http" or "https" ? new EngineConnection(endpoint.OriginalString, tls) : null;

    public bool TlsEnabled => _credentials is not null;

    public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler) =>
        new Telling(this, _credentials?.ConfigureHandler(handler) ?? handler);

    private EnvironmentFault Refused(string cause, Exception inner) => new($"The Docker engine at {_address} {cause}.", inner);

    // OpenSSL's words for the alert an engine sends when it refuses our certificate, and for a reply that is not TLS.
    private static readonly string[] RefusedCertificate = ["bad certificate", "unknown ca", "certificate required", "certificate unknown", "certificate expired", "unsupported certificate"];
    private static readonly string[] NotTls = ["wrong version number", "corrupted frame", "packet length too long", "record layer failure", "http request"];

    /// <summary>What went wrong with TLS in <paramref name="ex"/>, or null when it is not about TLS (the runner words the rest).</summary>
    private EnvironmentFault? Explain(Exception ex)
    {
        if (_tls is null) return null;
        var chain = Chain(ex).ToList();
        var text = string.Join(" | ", chain.Select(e => e.Message));
        bool Says(string[] words) => words.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
        // With TLS 1.3 (the native transport) the refusal comes after the handshake, as a read error: not only in AuthenticationException.
        if (text.Contains("alert", StringComparison.OrdinalIgnoreCase) && Says(RefusedCertificate))
            return Refused($"refused our client certificate {_tls.ClientCertPath}: it is not signed by a CA the engine trusts (its dockerd --tlscacert), or has expired", ex);
        if (!chain.Any(e => e is AuthenticationException)) return null;
        if (_distrust is { } why)
            return Refused($"is not trusted: {why}; check the address, or put the CA that signed the engine's certificate (its dockerd --tlscacert) there", ex);
        if (Says(NotTls))
            return Refused("does not speak TLS on that port (it answers plain HTTP): point the address at the engine's TLS port (dockerd --tlsverify -H tcp://0.0.0.0:2376), " +
                           "or leave out the client certificates (EngineTls.Resolve(certPath))", ex);
        return Refused($"could not complete the TLS handshake: {chain[^1].Message.TrimEnd('.')}", ex);
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }

    /// <summary>Turns TLS faults into the engine's words; passes everything else through untouched.</summary>
    private sealed class Telling(EngineConnection connection, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && connection.Explain(ex) is { } fault)
            {
                throw fault;
            }
            // Go's TLS server answers a plain HTTP request with this 400 and closes the connection.
            if (response.StatusCode == HttpStatusCode.BadRequest && !connection.TlsEnabled)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (body.Contains("HTTP request to an HTTPS server", StringComparison.Ordinal))
                {
                    response.Dispose();
                    throw new EnvironmentFault($"The Docker engine at {connection._address} speaks TLS (dockerd --tlsverify) and no client certificates were given: " +
                                               $"name the folder holding {EngineTls.CaFile}, {EngineTls.CertFile} and {EngineTls.KeyFile} (EngineTls.Resolve(certPath)).");
                }
                response.Content = new StringContent(body, System.Text.Encoding.UTF8, response.Content.Headers.ContentType?.MediaType ?? "text/plain");
            }
            return response;
        }
    }
}
