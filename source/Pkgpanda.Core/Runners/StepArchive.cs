using System.Formats.Tar;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// A build step's files as tar streams, for engines that do not see our filesystem: the inputs go in as one
/// archive rooted at <c>/</c>, the output comes back as the archive the engine gives for a folder. Modes,
/// symlinks and file times are kept; owners become root inside the container and the invoking user outside.
/// </summary>
internal static class StepArchive
{
    private static readonly EnumerationOptions AllEntries = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Writes every folder (host path -> absolute container path) as one archive to extract at <c>/</c>. Parent
    /// folders of each container path are written too, so the layout exists even in a bare image. Later folders may
    /// lie inside earlier ones (the result folder inside the install root).
    /// </summary>
    public static async Task WriteAsync(IReadOnlyList<(string HostPath, string ContainerPath)> folders, Stream destination, CancellationToken cancellationToken)
    {
        await using var tar = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (host, container) in folders)
        {
            var parts = container.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 1; i < parts.Length; i++)
            {
                var parent = string.Join('/', parts.Take(i)) + "/";
                if (written.Add(parent)) await tar.WriteEntryAsync(Directory(parent, (UnixFileMode)0b111_101_101, DateTimeOffset.UnixEpoch), cancellationToken).ConfigureAwait(false);
            }
            var root = new DirectoryInfo(host);
            if (!root.Exists) throw new EnvironmentFault($"{host}: the folder to send to the engine does not exist.");
            var name = string.Join('/', parts) + "/";
            written.Add(name);
            await tar.WriteEntryAsync(Directory(name, root.UnixFileMode, root.LastWriteTimeUtc), cancellationToken).ConfigureAwait(false);
            await WriteChildrenAsync(tar, root, name, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteChildrenAsync(TarWriter tar, DirectoryInfo folder, string prefix, CancellationToken cancellationToken)
    {
        foreach (var child in folder.EnumerateFileSystemInfos("*", AllEntries).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = prefix + child.Name;
            if (child.LinkTarget is { } target)
            {
                var link = Entry(TarEntryType.SymbolicLink, name, (UnixFileMode)0b111_111_111, child.LastWriteTimeUtc);
                link.LinkName = target;
                await tar.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
            }
            else if (child is DirectoryInfo directory)
            {
                await tar.WriteEntryAsync(Directory(name + "/", directory.UnixFileMode, directory.LastWriteTimeUtc), cancellationToken).ConfigureAwait(false);
                await WriteChildrenAsync(tar, directory, name + "/", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var file = (FileInfo)child;
                var entry = Entry(TarEntryType.RegularFile, name, file.UnixFileMode, file.LastWriteTimeUtc);
                // A special file (FIFO, socket) is never opened: it would block. It travels as an empty file.
                await using var data = file.Length > 0 ? new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan) : null;
                entry.DataStream = data;
                await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Extracts the archive of one container folder (its entries all start with that folder's name) into
    /// <paramref name="target"/>, replacing what was there. Entries that would land outside, or be written through a
    /// link, are refused; hard links become copies and special files empty files, as the packer would see them.
    /// </summary>
    public static Task ExtractAsync(Stream archive, string target, CancellationToken cancellationToken) =>
        // Ours to write: a full disk or a read-only folder here is told as such, whichever way the archive came.
        Store.FileSystemFault.GuardAsync(target, "write the result the engine sent back", () => ExtractIntoAsync(archive, target, cancellationToken));

    private static async Task ExtractIntoAsync(Stream archive, string target, CancellationToken cancellationToken)
    {
        Store.FileTree.Delete(target);
        System.IO.Directory.CreateDirectory(target);
        var folders = new Dictionary<string, UnixFileMode>(StringComparer.Ordinal);
        var realFolders = new HashSet<string>(StringComparer.Ordinal) { "" };
        await using var reader = new TarReader(archive, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes) continue;
            var parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || entry.Name.StartsWith('/') || parts.Any(p => p is "." or ".."))
                throw new EnvironmentFault($"The engine returned an archive entry \"{entry.Name}\" that leaves the result folder.");
            var relative = string.Join('/', parts.Skip(1));
            var parent = parts.Length > 2 ? string.Join('/', parts.Skip(1).SkipLast(1)) : "";
            if (relative.Length > 0 && !realFolders.Contains(parent))
                throw new EnvironmentFault($"The engine returned an archive entry \"{entry.Name}\" outside a folder it sent first.");
            var path = relative.Length == 0 ? target : Path.Combine(target, relative);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    System.IO.Directory.CreateDirectory(path);
                    realFolders.Add(relative);
                    folders[path] = entry.Mode;
                    break;
                case TarEntryType.SymbolicLink:
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    var source = string.Join('/', entry.LinkName.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1));
                    if (!realFolders.Contains(Path.GetDirectoryName(source)?.Replace('\\', '/') ?? "") || source.Split('/').Contains(".."))
                        throw new EnvironmentFault($"The engine returned a hard link \"{entry.Name}\" -> \"{entry.LinkName}\" that leaves the result folder.");
                    File.Copy(Path.Combine(target, source), path);
                    File.SetUnixFileMode(path, entry.Mode);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                        if (entry.DataStream is { } data) await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    File.SetUnixFileMode(path, entry.Mode);
                    break;
                default:
                    // FIFOs and devices: the packer writes a zero-length file for them; do the same here.
                    await File.WriteAllBytesAsync(path, [], cancellationToken).ConfigureAwait(false);
                    File.SetUnixFileMode(path, entry.Mode);
                    break;
            }
        }
        // Modes of folders last, deepest first: a read-only folder must not stop its children from being written.
        foreach (var (path, mode) in folders.OrderByDescending(f => f.Key.Length))
            File.SetUnixFileMode(path, mode);
    }

    private static PaxTarEntry Directory(string name, UnixFileMode mode, DateTimeOffset mtime) => Entry(TarEntryType.Directory, name, mode, mtime);

    private static PaxTarEntry Entry(TarEntryType type, string name, UnixFileMode mode, DateTimeOffset mtime) => new(type, name)
    {
        Mode = mode,
        ModificationTime = mtime,
        Uid = 0,
        Gid = 0,
        UserName = "root",
        GroupName = "root",
    };
}
