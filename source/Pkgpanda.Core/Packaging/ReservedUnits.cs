using System.Text.RegularExpressions;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// Units a package must not ship in its <c>dcos.target.wants*/</c> folders: DC/OS's bootstrap owns them, and a package
/// replacing one would break every host it is installed on.
/// </summary>
internal static partial class ReservedUnits
{
    public static IReadOnlyList<string> Names { get; } = ["dcos.target", "dcos-download.service", "dcos-setup.service"];

    /// <summary><c>dcos.target.wants</c> and its role variants, e.g. <c>dcos.target.wants_master</c>.</summary>
    [GeneratedRegex(@"^dcos\.target\.wants(_.+)?$")]
    private static partial Regex UnitFolder();

    /// <summary>Throws a <see cref="BuildError"/> naming each reserved unit found in the build result.</summary>
    /// <param name="package">Who made the result, as the message names it (the result folder itself is temporary).</param>
    public static void Check(string resultFolder, string package)
    {
        var found = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(resultFolder).Order(StringComparer.Ordinal))
        {
            var folderName = Path.GetFileName(folder);
            if (!UnitFolder().IsMatch(folderName)) continue;
            foreach (var unit in Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                if (Names.Contains(unit!))
                    found.Add($"{folderName}/{unit}");
        }
        if (found.Count > 0)
            throw new BuildError(
                $"{package} installs the reserved unit{(found.Count > 1 ? "s" : "")} {string.Join(", ", found.Select(f => "$PKG_PATH/" + f))}; " +
                $"{string.Join(", ", Names)} belong to DC/OS itself. Rename the unit in the build script.");
    }
}
