namespace Pkgpanda.Core.Repositories;

/// <summary>
/// Keeps a credential out of text meant for people: exception messages, events, logs. Applied to every message a
/// repository produces, because lower layers (sockets, proxies, servers echoing headers) may quote what they were sent.
/// </summary>
internal static class Secret
{
    public const string Mask = "***";

    public static string Scrub(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, Mask, StringComparison.Ordinal);
}
