namespace Pkgpanda.Targets;

/// <summary>NUKE's root discovery: <c>--root</c>, else the nearest folder at or above the working directory holding <c>.nuke/</c>.</summary>
internal static class ProjectRoot
{
    public static string Find(Arguments arguments, string workingDirectory)
    {
        if (arguments.Values("root") is { } r)
        {
            if (r.Count == 0) throw new TargetsException("--root needs a folder.");
            var given = Path.GetFullPath(r[0], workingDirectory);
            if (!Directory.Exists(given)) throw new TargetsException($"--root {r[0]}: the folder {given} does not exist.");
            return given;
        }
        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ".nuke"))) return dir.FullName;
        throw new TargetsException($"No .nuke folder in {workingDirectory} or any folder above it: run from inside the project, or pass --root <path>.");
    }
}
