using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Hashing;

/// <summary>
/// pkgpanda's folder hash (used for <c>extra/</c> and builder folders): relative path -> sha1 of the file,
/// empty folders -> "", then <see cref="HashCheckout"/> of that map. Paths use '/', so the hash is the same
/// wherever the tree lives.
/// </summary>
public static class FolderHash
{
    /// <param name="cache">Remembers files' sha1 between runs; the hash is the same with or without it.</param>
    public static string Of(string directory, FileHashCache? cache = null) => HashCheckout.Of(Files(directory, cache));

    public static Dictionary<string, string> Files(string directory, FileHashCache? cache = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(directory, "", result, cache);
        return result;
    }

    private static void Walk(string dir, string rel, Dictionary<string, string> result, FileHashCache? cache)
    {
        var entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().ToList();
        if (entries.Count == 0 && rel.Length > 0) result[rel] = "";
        foreach (var entry in entries)
        {
            var path = rel.Length == 0 ? entry.Name : rel + "/" + entry.Name;
            // Like os.walk: a link to a folder is never walked into, so pkgpanda records nothing for it.
            if (entry is DirectoryInfo d) { if (d.LinkTarget is null) Walk(d.FullName, path, result, cache); }
            else result[path] = FileSha1InTree(entry, cache);
        }
    }

    /// <summary>A dangling link or an unreadable file is a mistake in the tree, not a crash: name the file.</summary>
    private static string FileSha1InTree(FileSystemInfo entry, FileHashCache? cache)
    {
        try { return cache?.Sha1(entry.FullName) ?? FileSha1(entry.FullName); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = entry.LinkTarget is { } target ? $"it is a symlink to '{target}', which cannot be read"
                : entry.Name.Contains('\uFFFD') && Store.FileType.Of(entry.FullName) == Store.FileKind.Missing ? "its name is not UTF-8 (the bad bytes shown as \uFFFD), so it cannot be opened by name; rename it"
                : ex.Message;
            throw new BuildError($"{PackageStore.Shown(entry.FullName)}: cannot hash this file for the package id ({why}); remove it or make it a regular, readable file.", ex);
        }
    }

    /// <summary>
    /// The sha1 of a regular file. A FIFO, socket or device (or a symlink to one) is refused by name before anything
    /// opens it: opening a FIFO blocks until a writer comes, and a device never ends, so either would hang the run.
    /// </summary>
    public static string FileSha1(string path)
    {
        var kind = FileType.Of(path);
        if (kind == FileKind.Symlink && FileType.Of(path, followLinks: true) is var target && FileType.IsSpecial(target))
            throw Special(path, $"a symlink to {FileType.Describe(target)}");
        if (FileType.IsSpecial(kind)) throw Special(path, FileType.Describe(kind));
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(stream));
    }

    private static BuildError Special(string path, string what) =>
        new($"{PackageStore.Shown(path)}: is {what}, which cannot be hashed for the package id (it was not opened); " +
            "a package's files must be regular files, folders or symlinks to them: remove it.");
}
