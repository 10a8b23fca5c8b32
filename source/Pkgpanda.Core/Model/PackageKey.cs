namespace Pkgpanda.Core.Model;

/// <summary>One buildable unit of a tree: a package name with one of its variants.</summary>
public sealed record PackageKey(string Name, string? Variant) : IComparable<PackageKey>
{
    public int CompareTo(PackageKey? other)
    {
        if (other is null) return 1;
        var byName = string.CompareOrdinal(Name, other.Name);
        return byName != 0 ? byName : Model.Variant.Compare(Variant, other.Variant);
    }

    public override string ToString() => Variant is null ? Name : $"{Name} ({Variant})";
}
