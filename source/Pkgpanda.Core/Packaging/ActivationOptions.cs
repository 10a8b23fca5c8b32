namespace Pkgpanda.Core.Packaging;

/// <summary>How an install root is laid out.</summary>
internal sealed record ActivationOptions
{
    /// <summary>
    /// Where the root is when its links are followed. The builder's root is mounted at <c>/opt/mesosphere</c> in the
    /// container, and the bootstrap tarball unpacks there, so both want <c>/opt/mesosphere</c>: links then read
    /// <c>/opt/mesosphere/packages/&lt;id&gt;/...</c> whatever folder the root was built in. Null means the root's own path.
    /// The environment files name this path too.
    /// </summary>
    public string? LinkRoot { get; init; }

    /// <summary>Host roles (master, slave, ...): a package's <c>bin_&lt;role&gt;/</c> etc. are merged into <c>bin/</c> etc.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Also activate <c>dcos.target.wants/</c> (pkgpanda did in build roots and on hosts, not in bootstrap tarballs).</summary>
    public bool SystemdUnits { get; init; }
}
