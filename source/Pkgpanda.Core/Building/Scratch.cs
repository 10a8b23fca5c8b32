namespace Pkgpanda.Core.Building;

/// <summary>
/// A build's private working folder under <c>cache/tmp</c>, named after the package and this process, so
/// concurrent builds never share one and leftovers of killed processes are recognisable and removed.
/// </summary>
public sealed class Scratch
{
    private Scratch(string root) => Root = root;

    public string Root { get; }

    /// <summary>A fresh folder; leftovers of dead processes are swept once per run (<see cref="RemoveAbandoned"/>), not per build.</summary>
    public static Scratch Create(string scratchFolder, string name)
    {
        var root = Path.Combine(scratchFolder, $"{name}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return new Scratch(root);
    }

    public string Folder(string name)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Delete() => DeleteTree(Root);

    /// <summary>Removes scratch folders whose process is gone (a build killed with SIGKILL cleans nothing up).</summary>
    public static void RemoveAbandoned(string scratchFolder)
    {
        if (!Directory.Exists(scratchFolder)) return;
        foreach (var dir in Directory.EnumerateDirectories(scratchFolder))
        {
            if (OwnerOf(dir) is not { } pid) continue;
            if (pid == Environment.ProcessId || Runners.LocalHost.IsAlive(pid)) continue;
            DeleteTree(dir);
        }
    }

    /// <summary>The process a scratch folder belongs to (<c>&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;</c>), or null for another name.</summary>
    public static int? OwnerOf(string scratchRoot)
    {
        var parts = Path.GetFileName(scratchRoot).Split('.');
        return parts.Length >= 3 && int.TryParse(parts[^2], out var pid) ? pid : null;
    }

    private static void DeleteTree(string path) => Store.FileTree.TryDelete(path);
}
