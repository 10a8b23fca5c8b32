using System.Text.RegularExpressions;

namespace Pkgpanda.Core.Model;

/// <summary>
/// The shape of a Docker image reference, as the engine parses it: <c>[host[:port]/]path[:tag][@digest]</c>, the
/// path of lower-case components joined by "/", each separated inside by ".", "_", "__" or dashes. Checked where a
/// name is read (a buildinfo's "docker", --builder-image), so a mistake is told there, not by the engine later.
/// </summary>
public static partial class ImageReference
{
    private const string Label = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";

    public static bool IsValid(string reference) => reference.Length <= 255 && Pattern().IsMatch(reference);

    // A first component is a registry host only with a dot or a port in it, or as "localhost" (as the engine decides).
    [GeneratedRegex(@"^(?:(?:" + Label + @"(?:\." + Label + @")+(?::[0-9]+)?|" + Label + @":[0-9]+|localhost|\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?" +
                    @"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*" +
                    @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")]
    private static partial Regex Pattern();
}
