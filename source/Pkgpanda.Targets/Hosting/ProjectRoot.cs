namespace Pkgpanda.Targets;

/// <summary>
/// Where the project root is: <c>--root</c> (relative to the current directory); else the folder of the build script
/// that started us (build.sh, build.ps1 pass it as <see cref="ScriptVariable"/>), so a script works from any current
/// directory; else, run as a tool, the nearest folder at or above the current directory holding <c>.nuke/</c>.
/// </summary>
internal static class ProjectRoot
{
    /// <summary>Set by the bootstrap scripts to their own folder.</summary>
    public const string ScriptVariable = "NUKE_ROOT_DIRECTORY";

    public static string Find(Arguments arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        if (arguments.Values("root") is { } r)
        {
            if (r.Count == 0) throw new TargetsException("--root needs a folder.");
            var given = Path.GetFullPath(r[0], workingDirectory);
            if (!Directory.Exists(given)) throw new TargetsException($"--root {r[0]}: the folder {given} does not exist.");
            return given;
        }
        if (environment.GetValueOrDefault(ScriptVariable) is { Length: > 0 } script)
            return Directory.Exists(script) ? Path.GetFullPath(script)
                : throw new TargetsException($"{ScriptVariable}={script}: the folder does not exist.");
        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ".nuke"))) return dir.FullName;
        throw new TargetsException($"No .nuke folder in {workingDirectory} or any folder above it: run from inside the project, or pass --root <path>.");
    }
}
