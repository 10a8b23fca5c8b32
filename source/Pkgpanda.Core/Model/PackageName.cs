using System.Text.RegularExpressions;

namespace Pkgpanda.Core.Model;

/// <summary>Package name and version rules, the same regexes pkgpanda enforces.</summary>
internal static partial class PackageName
{
    [GeneratedRegex(@"^[a-zA-Z0-9@_+][a-zA-Z0-9@._+\-]*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9@_+:.]+$")]
    private static partial Regex VersionRegex();

    public const string NamePattern = @"^[a-zA-Z0-9@_+][a-zA-Z0-9@._+\-]*$";
    public const string VersionPattern = @"^[a-zA-Z0-9@_+:.]+$";

    /// <summary>
    /// The longest package id we build: its tarball and their temporaries are named after it (the record's,
    /// <c>.&lt;id&gt;.tar.xz.record.&lt;pid&gt;.&lt;32 hex&gt;.tmp</c>, adds 63 characters), within the 255 bytes of a file name.
    /// </summary>
    public const int MaxIdLength = 180;

    /// <summary>The longest package name whose ids (<c>name--&lt;40 hex&gt;</c>) fit <see cref="MaxIdLength"/>.</summary>
    public const int MaxNameLength = MaxIdLength - 2 - 40;

    /// <summary>The longest version_extra a package of this name may have: its ids are <c>name--&lt;version_extra&gt;-&lt;40 hex&gt;</c>.</summary>
    public static int MaxVersionExtraLength(string name) => MaxNameLength - 1 - name.Length;

    public static bool IsValid(string name) => NameRegex().IsMatch(name) && !name.Contains("--");

    public static bool IsValidVersion(string version) => VersionRegex().IsMatch(version);

    /// <summary>A version in an id: pkgpanda's pattern, or <c>&lt;version_extra&gt;-&lt;hash&gt;</c>, which SPEC allows.</summary>
    public static bool IsValidIdVersion(string version) => VersionRegex().IsMatch(version) || ExtraVersionRegex().IsMatch(version);

    [GeneratedRegex(@"^[a-zA-Z0-9@_+:.]+-[0-9a-f]{40}$")]
    private static partial Regex ExtraVersionRegex();

    /// <summary>pkgpanda treats any string with exactly one "--" as an id.</summary>
    public static bool LooksLikeId(string text) => CountSeparators(text) == 1;

    internal static int CountSeparators(string text)
    {
        var count = 0;
        for (var i = text.IndexOf("--", StringComparison.Ordinal); i >= 0; i = text.IndexOf("--", i + 2, StringComparison.Ordinal))
            count++;
        return count;
    }
}
