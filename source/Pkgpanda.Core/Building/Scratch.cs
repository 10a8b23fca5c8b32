using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Building;

/// <summary>
/// A build's private working folder under <c>cache/tmp</c>, named after the package and this process, so
/// concurrent builds never share one and leftovers of killed processes are recognisable and removed.
/// </summary>
internal sealed class Scratch
{
    private Scratch(string root) => Root = root;

    public string Root { get; }

    /// <summary>A fresh folder; leftovers of dead processes are swept once per run (<see cref="RemoveAbandoned"/>), not per build.</summary>
    public static Scratch Create(string scratchFolder, string name)
    {
        var root = Path.Combine(scratchFolder, $"{name}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        FileSystemFault.Guard(root, "create the build's scratch folder", () => Directory.CreateDirectory(root));
        return new Scratch(root);
    }

    public string Folder(string name)
    {
        var path = Path.Combine(Root, name);
        FileSystemFault.Guard(path, "create the build's scratch folder", () => Directory.CreateDirectory(path));
        return path;
    }

    public void Delete() => FileTree.TryDelete(Root);

    /// <summary>The process a scratch folder (<c>&lt;name&gt;.&lt;pid&gt;.&lt;unique&gt;</c>) belongs to; null for anything else.</summary>
    public static int? OwnerOf(string folderName)
    {
        var parts = folderName.Split('.');
        return parts.Length >= 3 && parts[^1].Length == 32 && int.TryParse(parts[^2], out var pid) ? pid : null;
    }

    /// <summary>
    /// Removes scratch folders whose process is gone (a build killed with SIGKILL cleans nothing up), or whose owner
    /// <paramref name="remove"/> names; returns how many.
    /// </summary>
    public static int RemoveAbandoned(string scratchFolder, Func<int, bool>? remove = null)
    {
        remove ??= Temporary.IsAbandoned;
        if (!Directory.Exists(scratchFolder)) return 0;
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(scratchFolder))
            if (OwnerOf(Path.GetFileName(dir)) is { } pid && remove(pid) && FileTree.TryDelete(dir)) removed++;
        return removed;
    }
}
