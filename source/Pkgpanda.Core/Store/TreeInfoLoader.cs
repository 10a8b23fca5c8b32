using System.Text.Json;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Store;

/// <summary>Parses <c>[variant.]treeinfo.json</c> strictly.</summary>
internal static class TreeInfoLoader
{
    private static readonly string[] AllowedKeys = ["exclude", "variants", "core_package_list", "bootstrap_package_list"];

    public static TreeInfo Load(string file, string shownAs, string? treeVariant)
    {
        var root = JsonFile.ReadObject(file, shownAs);
        foreach (var p in root.EnumerateObject())
            if (!AllowedKeys.Contains(p.Name))
                throw new BuildError(shownAs, JsonFile.Quote(p.Name), JsonFile.Describe(p.Value),
                    $"unknown key; allowed keys are {string.Join(", ", AllowedKeys)}.");

        var exclude = List(root, "exclude", shownAs, []);
        var core = List(root, "core_package_list", shownAs, exclude);
        var bootstrap = List(root, "bootstrap_package_list", shownAs, exclude);

        var variants = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (root.TryGetProperty("variants", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            if (v.ValueKind != JsonValueKind.Object)
                throw new BuildError(shownAs, "\"variants\"", JsonFile.Describe(v), "must map package names to variant names.");
            foreach (var p in v.EnumerateObject())
            {
                if (!PackageName.IsValid(p.Name))
                    throw new BuildError(shownAs, $"\"variants\".{JsonFile.Quote(p.Name)}", JsonFile.Describe(p.Value), "invalid package name.");
                variants[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw new BuildError(shownAs, $"\"variants\".{JsonFile.Quote(p.Name)}", JsonFile.Describe(p.Value), "must be a variant name (or null for the default)."),
                };
            }
        }

        return new TreeInfo
        {
            TreeVariant = treeVariant, File = shownAs, Exclude = exclude.ToHashSet(StringComparer.Ordinal),
            Variants = variants, CorePackageList = core, BootstrapPackageList = bootstrap,
        };
    }

    private static List<string> List(JsonElement root, string key, string file, IReadOnlyCollection<string> excludes)
    {
        var result = new List<string>();
        if (!root.TryGetProperty(key, out var list) || list.ValueKind == JsonValueKind.Null) return result;
        var field = JsonFile.Quote(key);
        if (list.ValueKind != JsonValueKind.Array)
            throw new BuildError(file, field, JsonFile.Describe(list), "must be a list of package names (or null).");
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{field}[{i++}]";
            if (item.ValueKind != JsonValueKind.String)
                throw new BuildError(file, at, JsonFile.Describe(item), "must be a package name.");
            var name = item.GetString()!;
            if (!PackageName.IsValid(name))
                throw new BuildError(file, at, JsonFile.Describe(item), $"invalid package name; names match {PackageName.NamePattern}.");
            if (excludes.Contains(name))
                throw new BuildError(file, at, JsonFile.Describe(item), "this package is also listed in \"exclude\"; a package cannot be both excluded and listed.");
            result.Add(name);
        }
        return result;
    }
}
