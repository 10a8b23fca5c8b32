using System.Reflection;

namespace Pkgpanda.Targets;

/// <summary>
/// Files derived from the build class (<c>.nuke/build.schema.json</c>, the GitHub Actions workflows), rewritten on
/// every run, only when their content changed. A file that cannot be written is a warning, not a failed build.
/// </summary>
internal static class GeneratedFiles
{
    public static void Update(NukeBuild build, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters, IBuildOutput output)
    {
        var root = build.RootDirectory;
        var files = new List<(string Path, string Content)>
        {
            (Path.Combine(root, ".nuke", "build.schema.json"), BuildSchema.Render(parameters, graph.Targets.Select(t => t.Name).ToList())),
        };
        foreach (var a in build.GetType().GetCustomAttributes<GitHubActionsAttribute>())
            files.Add((Path.Combine(root, GitHubActionsWorkflow.RelativePath(a)), GitHubActionsWorkflow.Render(a, build.GetType().Name, graph)));
        foreach (var (path, content) in files)
        {
            try { GeneratedFile.WriteIfChanged(path, content); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.Log(LogLevel.Warning, $"Could not update {path}: {ex.Message}");
            }
        }
    }
}
