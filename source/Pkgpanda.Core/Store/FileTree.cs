namespace Pkgpanda.Core.Store;

/// <summary>
/// Removes folder trees that builds, checkouts and archives produced. They may hold read-only folders (which stop a
/// delete) and symlinks that point anywhere: permissions are fixed only on real folders, never through a link, so
/// nothing outside the tree is ever touched.
/// </summary>
internal static class FileTree
{
    /// <summary>Deletes <paramref name="path"/> if it exists; returns false when something could not be removed.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            Delete(path);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static void Delete(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null) { info.Delete(); return; }
        if (!info.Exists) return;
        MakeWritable(info);
        info.Delete(recursive: true);
    }

    private static void MakeWritable(DirectoryInfo folder)
    {
        var mode = File.GetUnixFileMode(folder.FullName);
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if ((mode & owner) != owner) File.SetUnixFileMode(folder.FullName, mode | owner);
        foreach (var child in folder.EnumerateDirectories("*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false }))
            if (child.LinkTarget is null) MakeWritable(child);
    }
}
