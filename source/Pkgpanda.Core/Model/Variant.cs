namespace Pkgpanda.Core.Model;

/// <summary>
/// Variants are plain strings; <c>null</c> is the default variant. These helpers keep pkgpanda's three spellings:
/// the display name (<c>&lt;default&gt;</c>), the id string (<c>""</c>) and the file prefix (<c>"v."</c>).
/// </summary>
public static class Variant
{
    public const string DefaultName = "<default>";

    public static string Display(string? variant) => variant ?? DefaultName;

    public static string IdString(string? variant) => variant ?? "";

    public static string Prefix(string? variant) => variant is null ? "" : variant + ".";

    /// <summary>Parses a user's <c>--variant</c>: empty, "default" or "&lt;default&gt;" mean the default.</summary>
    public static string? FromUser(string? text) =>
        string.IsNullOrEmpty(text) || text == DefaultName || text == "default" ? null : text;

    /// <summary>Orders the default variant first, then the others ordinally (pkgpanda sorts None before strings).</summary>
    public static int Compare(string? a, string? b) =>
        a is null ? (b is null ? 0 : -1) : b is null ? 1 : string.CompareOrdinal(a, b);
}
