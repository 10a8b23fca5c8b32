using System.Reflection;

namespace Pkgpanda.Targets;

/// <summary>
/// Files derived from the build class (<c>.nuke/build.schema.json</c>, the GitHub Actions workflows), rewritten on
/// every run, only when their content changed. A file that cannot be written is a warning, not a failed build.
/// They depend on the compiled build program alone: a stamp (<c>.nuke/temp/generated-files.stamp</c>) names the
/// program's assemblies and each file's size and time, as git's index does, and while both match nothing is rendered.
/// </summary>
internal static class GeneratedFiles
{
    /// <summary>The full paths of the files <see cref="Update"/> writes for <paramref name="build"/>.</summary>
    public static IReadOnlyCollection<string> PathsOf(NukeBuild build) =>
        [Path.GetFullPath(Path.Combine(build.RootDirectory, ".nuke", "build.schema.json")),
         .. build.GetType().GetCustomAttributes<GitHubActionsAttribute>().Select(a => Path.GetFullPath(Path.Combine(build.RootDirectory, GitHubActionsWorkflow.RelativePath(a))))];

    public static void Update(NukeBuild build, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters, IBuildOutput output)
    {
        var root = build.RootDirectory;
        var stamp = Path.Combine(root, ".nuke", "temp", "generated-files.stamp");
        var key = Key(build.GetType());
        if (UpToDate(stamp, key)) return;
        var files = new List<(string Path, string Content)>
        {
            (Path.Combine(root, ".nuke", "build.schema.json"), BuildSchema.Render(parameters, graph.Targets.Select(t => t.Name).ToList())),
        };
        foreach (var a in build.GetType().GetCustomAttributes<GitHubActionsAttribute>())
            files.Add((Path.Combine(root, GitHubActionsWorkflow.RelativePath(a)), GitHubActionsWorkflow.Render(a, build.GetType().Name, graph)));
        var written = true;
        foreach (var (path, content) in files)
        {
            try { GeneratedFile.WriteIfChanged(path, content); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.Log(LogLevel.Warning, $"Could not update {path}: {ex.Message}");
                written = false;
            }
        }
        if (!written) return;
        try { GeneratedFile.WriteAtomically(stamp, string.Join("\n", [key, .. files.Select(f => Line(new FileInfo(f.Path)))]) + "\n"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // rendered again next time
    }

    /// <summary>The build class and the module version ids of every assembly its targets and parameters come from.</summary>
    private static string Key(Type build)
    {
        var types = new List<Type> { build, typeof(GeneratedFiles) };
        for (var t = build.BaseType; t is not null; t = t.BaseType) types.Add(t);
        types.AddRange(build.GetInterfaces());
        // As hex of the bytes, in a plain list: LINQ over Guid values and Guid's own formatting are compiled at every start.
        var modules = new List<string>();
        foreach (var t in types)
            if (Convert.ToHexString(t.Assembly.ManifestModule.ModuleVersionId.ToByteArray()) is var id && !modules.Contains(id)) modules.Add(id);
        modules.Sort(StringComparer.Ordinal);
        return $"{build.AssemblyQualifiedName} " + string.Join(" ", modules);
    }

    private static string Line(FileInfo file) => $"{file.Length}\t{file.LastWriteTimeUtc.Ticks}\t{file.FullName}";

    private static bool UpToDate(string stamp, string key)
    {
        string[] lines;
        try { lines = File.ReadAllLines(stamp); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
        return lines.Length > 1 && lines[0] == key &&
               lines.Skip(1).All(l => l.Split('\t', 3) is [_, _, var path] && File.Exists(path) && Line(new FileInfo(path)) == l);
    }
}
