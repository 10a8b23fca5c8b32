using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Graph;

/// <summary>
/// A package's build script is part of its id (its sha1), so a missing one is a mistake in the tree: reported when the
/// tree is resolved, at the buildinfo's "build_script" field, not first by Hash or Build.
/// </summary>
public static class BuildScripts
{
    /// <summary>Every selected package's script exists (one stat each; the first missing one is the error).</summary>
    public static void CheckExist(PackageGraph graph)
    {
        foreach (var key in graph.Order) CheckExists(graph[key]);
    }

    public static void CheckExists(BuildInfo info)
    {
        var script = info.BuildScriptPath;
        if (!File.Exists(script))
            throw new BuildError(info.File, "\"build_script\"", $"\"{info.BuildScript}\"",
                $"the build script {PackageStore.Shown(script)} does not exist; create it or name another file in \"build_script\".");
    }
}
