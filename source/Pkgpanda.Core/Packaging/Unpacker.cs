using System.Formats.Tar;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// Unpacks a package tarball into a folder that appears only once every entry is in place. An entry that would land
/// outside the folder (an absolute name, <c>..</c>, a path through a symlink, a hard link to outside) fails the whole
/// unpack before anything of it is written; symlinks themselves may point anywhere, as packages' do.
/// </summary>
internal static class Unpacker
{
    public static Task UnpackAsync(string tarball, string destination, CancellationToken cancellationToken = default) =>
        IntoAsync(destination, tarball, async temporary =>
        {
            var file = Store.FileSystemFault.Guard(tarball, "read the package tarball",
                () => new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
            await using (file)
            await using (var xz = Xz.Decompress(file))
                await ExtractAsync(xz, temporary, tarball, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Unpacks an uncompressed package tar (<see cref="Packer.WriteTarAsync"/>), named <paramref name="shownAs"/> in messages.</summary>
    public static Task UnpackTarAsync(Stream tar, string destination, string shownAs, CancellationToken cancellationToken = default) =>
        IntoAsync(destination, shownAs, temporary => ExtractAsync(tar, temporary, shownAs, cancellationToken));

    private static async Task IntoAsync(string destination, string shownAs, Func<string, Task> extract)
    {
        destination = Path.GetFullPath(destination);
        if (Directory.Exists(destination) || File.Exists(destination))
            throw new BuildError($"{destination}: cannot unpack {shownAs} here: the folder already exists.");
        var temporary = Store.Temporary.Beside(destination);
        Store.FileSystemFault.Guard(destination, "create the folder to unpack into", () => Directory.CreateDirectory(temporary));
        try
        {
            await extract(temporary).ConfigureAwait(false);
            Directory.Move(temporary, destination);
        }
        catch (InvalidDataException ex)
        {
            Remove(temporary);
            throw new BuildError($"{shownAs}: not a valid package tarball: {ex.Message}", ex);
        }
        catch (Exception ex) when (Store.FileSystemFault.Of(ex, destination, $"unpack {Path.GetFileName(shownAs)} here") is { } fault)
        {
            Remove(temporary);
            throw fault;
        }
        catch
        {
            Remove(temporary);
            throw;
        }
    }

    private static async Task ExtractAsync(Stream archive, string target, string shownAs, CancellationToken cancellationToken)
    {
        // Folder modes are applied last, deepest first, so a read-only folder can still receive its entries.
        var folderModes = new Dictionary<string, UnixFileMode>(StringComparer.Ordinal);
        await using var reader = new TarReader(archive);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            var relative = Relative(entry.Name, shownAs);
            if (relative.Length == 0)
            {
                if (entry.EntryType == TarEntryType.Directory) folderModes[target] = entry.Mode;
                continue;
            }
            var path = Path.Combine(target, relative);
            RefuseLinkedParents(target, relative, entry.Name, shownAs);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (new FileInfo(path) is { LinkTarget: not null } or { Exists: true }) RemoveEntry(path);
                    Directory.CreateDirectory(path);
                    folderModes[path] = entry.Mode;
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    RemoveEntry(path);
                    await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                        if (entry.DataStream is { } data) await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                    SetMode(path, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    RemoveEntry(path);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    // .NET has no hard link call; a copy of an earlier, already checked entry is equivalent for a package.
                    var source = Path.Combine(target, Relative(entry.LinkName, shownAs));
                    RefuseLinkedParents(target, Relative(entry.LinkName, shownAs), entry.LinkName, shownAs);
                    if (new FileInfo(source) is not { Exists: true, LinkTarget: null })
                        throw new BuildError($"{shownAs}: entry \"{entry.Name}\" is a hard link to \"{entry.LinkName}\", which is not a file unpacked before it.");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    RemoveEntry(path);
                    File.Copy(source, path);
                    break;
                default:
                    throw new BuildError($"{shownAs}: entry \"{entry.Name}\" is a {entry.EntryType}; packages hold only files, folders and links.");
            }
        }
        // A later entry may have replaced a folder (or one of its parents) with a symlink; a chmod must not follow it.
        foreach (var (folder, mode) in folderModes.OrderByDescending(f => f.Key.Length))
            if (IsRealFolder(target, folder)) SetMode(folder, mode);
    }

    /// <summary>The entry's path inside the target, or an error if it is absolute or climbs out with "..".</summary>
    private static string Relative(string name, string shownAs)
    {
        if (name.StartsWith('/') || name.Contains('\0'))
            throw new BuildError($"{shownAs}: entry \"{name}\" has an absolute path; package entries must stay inside the package.");
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
                throw new BuildError($"{shownAs}: entry \"{name}\" climbs out with \"..\"; package entries must stay inside the package.");
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>A symlink unpacked earlier could point anywhere, so nothing may be written through one.</summary>
    private static void RefuseLinkedParents(string target, string relative, string name, string shownAs)
    {
        var parts = relative.Split('/');
        var path = target;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            path = Path.Combine(path, parts[i]);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
                throw new BuildError($"{shownAs}: entry \"{name}\" goes through the symlink \"{string.Join('/', parts[..(i + 1)])}\"; package entries must stay inside the package.");
            // FileInfo.Exists is false for folders; past the first missing one nothing can be a link yet.
            if (!Directory.Exists(path)) return;
        }
    }

    private static bool IsRealFolder(string target, string folder)
    {
        for (var path = folder; path.Length >= target.Length; path = Path.GetDirectoryName(path)!)
            if (new DirectoryInfo(path) is not { Exists: true, LinkTarget: null }) return false;
        return true;
    }

    private static void RemoveEntry(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists) info.Delete();
        else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    // pkgpanda is Linux-only; the guard only tells the platform analyzer so.
    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    private static void Remove(string folder)
    {
        var root = new DirectoryInfo(folder);
        if (!root.Exists) return;
        MakeWritable(root);
        root.Delete(recursive: true);
    }

    /// <summary>
    /// Read-only folders from the tarball would stop the delete. Only real folders are descended into: a symlink in
    /// the half-unpacked tree may point anywhere, and a chmod through it would change a folder outside.
    /// </summary>
    private static void MakeWritable(DirectoryInfo folder)
    {
        SetMode(folder.FullName, (UnixFileMode)0b111_000_000);
        foreach (var child in folder.EnumerateDirectories("*", new EnumerationOptions { AttributesToSkip = 0 }))
            if (child.LinkTarget is null) MakeWritable(child);
    }
}
