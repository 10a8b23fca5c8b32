namespace Pkgpanda.Core.Model;

/// <summary>
/// One entry of <c>requires</c>: a package name, optionally with a variant. <see cref="Raw"/> keeps the form
/// the user wrote, because pkginfo.json copies requires verbatim.
/// </summary>
public sealed record Require(string Name, string? Variant, object Raw)
{
    public PackageKey Key => new(Name, Variant);

    public override string ToString() => Variant is null ? Name : $"{Name} (variant {Variant})";
}
