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
        try
        {
            MakeWritable(info);
            info.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException && OperatingSystem.IsLinux())
        {
            // .NET names every entry by its full path, as UTF-16: a tree deeper than a path can be (4096 bytes) or a name
            // that is not UTF-8 (a build script's, an archive's) cannot be removed that way. rm works through directory
            // handles and raw names; a build's tree must never outlive its run, nor stop the next one's sweep.
            RemoveWithRm(path, ex);
        }
    }

    private static void RemoveWithRm(string path, Exception first)
    {
        var rm = new System.Diagnostics.ProcessStartInfo("rm", ["-rf", "--", path]) { RedirectStandardError = true, RedirectStandardOutput = true };
        string errors;
        int code;
        try
        {
            using var process = System.Diagnostics.Process.Start(rm)!;
            errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            code = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { throw new IOException($"{path}: cannot be removed ({first.Message}), and rm could not be run either.", first); }
        if (code != 0 || Directory.Exists(path))
            throw new IOException($"{path}: cannot be removed ({first.Message}; rm -rf: {errors.Trim()}).", first);
    }

    /// <summary>
    /// The bytes of file data in the folders (links not followed, missing folders counted as empty); stops counting once
    /// it reaches <paramref name="enough"/>. Unreadable folders count as empty: the figure is for a decision or a message.
    /// </summary>
    public static long DataBytes(IEnumerable<string> folders, long enough = long.MaxValue)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        var total = 0L;
        var pending = new Stack<DirectoryInfo>();
        foreach (var folder in folders) pending.Push(new DirectoryInfo(folder));
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            if (!folder.Exists) continue;
            try
            {
                foreach (var child in folder.EnumerateFileSystemInfos("*", options))
                {
                    if (child.LinkTarget is not null) continue;
                    if (child is DirectoryInfo directory) pending.Push(directory);
                    else if ((total += ((FileInfo)child).Length) >= enough) return total;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
        return total;
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
