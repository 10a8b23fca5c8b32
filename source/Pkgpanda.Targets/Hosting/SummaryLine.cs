namespace Pkgpanda.Targets;

/// <summary>
/// The first line of a message, for a table or a one-line report whose full text is shown elsewhere: a line that
/// introduces what follows it ("... failed to build:", "Last lines of the log (...):") says where that went instead of
/// ending on a colon with nothing after it.
/// </summary>
internal static class SummaryLine
{
    public static string? Of(string? text, string elsewhere = "shown above")
    {
        if (text is null) return null;
        var first = text.Split('\n')[0].TrimEnd();
        return first.EndsWith(':') && text.TrimEnd().Length > first.Length ? $"{first[..^1]} ({elsewhere})" : first;
    }
}
