using System.Text;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Generated trees for scheduling tests: layers of packages, each requiring packages of the layer below.</summary>
public static class SyntheticTree
{
    /// <summary>
    /// L layers of W packages (<c>p{layer}-{index}</c>); each requires two packages of the layer below. Scripts sleep
    /// <paramref name="sleep"/> seconds and write a file naming what they found activated.
    /// </summary>
    public static string Layered(string root, int layers, int width, double sleep, Func<string, string?>? scriptOverride = null)
    {
        Directory.CreateDirectory(root);
        for (var l = 0; l < layers; l++)
        for (var i = 0; i < width; i++)
        {
            var name = $"p{l}-{i}";
            var requires = l == 0 ? [] : new[] { $"p{l - 1}-{i}", $"p{l - 1}-{(i + 1) % width}" }.Distinct().ToArray();
            Package(root, name, requires, scriptOverride?.Invoke(name) ?? Script(sleep));
        }
        return root;
    }

    /// <summary>A package with <paramref name="buildinfo"/> as its buildinfo.json, or one that just lists <paramref name="requires"/>.</summary>
    public static void Package(string root, string name, string[] requires, string script, string? buildinfo = null)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "buildinfo.json"), buildinfo ?? $"{{\"requires\": [{string.Join(", ", requires.Select(r => $"\"{r}\""))}]}}");
        var path = Path.Combine(dir, "build");
        File.WriteAllText(path, script, new UTF8Encoding(false));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public static string Script(double sleep) =>
        "#!/bin/sh\nset -e\n" +
        (sleep > 0 ? $"sleep {sleep.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n" : "") +
        "mkdir -p \"$PKG_PATH/lib\"\n" +
        "ls /opt/mesosphere/active 2>/dev/null | sort > \"$PKG_PATH/lib/$PKG_NAME.deps\"\n" +
        "echo \"$PKG_ID\" > \"$PKG_PATH/lib/$PKG_NAME.id\"\n";
}
