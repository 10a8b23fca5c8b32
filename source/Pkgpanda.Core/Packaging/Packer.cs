using System.Formats.Tar;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

internal sealed record PackOptions
{
    /// <summary>The mtime of every entry; null means $SOURCE_DATE_EPOCH when set, else the Unix epoch.</summary>
    public DateTimeOffset? ModificationTime { get; init; }

    public XzOptions Xz { get; init; } = new();
}

/// <summary>
/// Packs a build result into a package tarball (<c>&lt;id&gt;.tar.xz</c>) whose bytes depend only on the folder's
/// names, contents, permission bits and symlink targets: not on mtimes, owners, the directory listing order or the
/// thread count. So the same build gives the same tarball, wherever it ran.
/// </summary>
/// <remarks>
/// The layout is what pkgpanda's <c>tarfile.add(result, arcname="./")</c> gave: <c>./</c> first, then depth first
/// with each folder's children sorted (by code point, as Python sorts), folders named with a trailing slash. GNU tar
/// format, as pkgpanda wrote, because PAX headers carry the writer's process id in their names. Hard links become
/// regular files. Zero-length files are never opened, so a stray FIFO or socket becomes an empty file instead of
/// hanging the packer.
/// </remarks>
internal static class Packer
{
    /// <param name="progress">Told each entry name just before it is written.</param>
    public static async Task PackAsync(string folder, string destination, PackOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PackOptions();
        var root = new DirectoryInfo(folder);
        if (!root.Exists) throw new BuildError($"{folder}: the folder to pack does not exist.");
        var mtime = options.ModificationTime ?? SourceDateEpoch();

        await AtomicFile.WriteAsync(destination, async file =>
        {
            await using var xz = Xz.Compress(file, options.Xz, leaveOpen: true);
            await using (var tar = new TarWriter(xz, TarEntryFormat.Gnu, leaveOpen: true))
            {
                var entry = Entry(TarEntryType.Directory, "./", root.UnixFileMode, mtime);
                progress?.Report(entry.Name);
                await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                await WriteChildrenAsync(tar, root, "./", mtime, progress, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private static readonly EnumerationOptions AllEntries = new()
    {
        AttributesToSkip = 0, // dot files are "hidden" on Unix; a package keeps them
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private static async Task WriteChildrenAsync(TarWriter tar, DirectoryInfo folder, string prefix, DateTimeOffset mtime,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var children = folder.EnumerateFileSystemInfos("*", AllEntries).OrderBy(c => c.Name, CodePointComparer.Instance).ToList();
        foreach (var child in children)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = prefix + child.Name;
            if (child.LinkTarget is { } target)
            {
                var link = Entry(TarEntryType.SymbolicLink, name, (UnixFileMode)0b111_111_111, mtime);
                link.LinkName = target;
                progress?.Report(name);
                await tar.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
            }
            else if (child is DirectoryInfo directory)
            {
                progress?.Report(name + "/");
                await tar.WriteEntryAsync(Entry(TarEntryType.Directory, name + "/", directory.UnixFileMode, mtime), cancellationToken).ConfigureAwait(false);
                await WriteChildrenAsync(tar, directory, name + "/", mtime, progress, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                progress?.Report(name);
                await WriteFileAsync(tar, (FileInfo)child, name, mtime, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteFileAsync(TarWriter tar, FileInfo file, string name, DateTimeOffset mtime, CancellationToken cancellationToken)
    {
        var entry = Entry(TarEntryType.RegularFile, name, file.UnixFileMode, mtime);
        FileStream? data = null;
        try
        {
            if (file.Length > 0)
            {
                data = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                    FileOptions.Asynchronous | FileOptions.SequentialScan);
                entry.DataStream = data;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BuildError($"{file.FullName}: cannot be packed: {ex.Message}", ex);
        }
        await using (data)
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    private static GnuTarEntry Entry(TarEntryType type, string name, UnixFileMode mode, DateTimeOffset mtime) => new(type, name)
    {
        Mode = mode,
        ModificationTime = mtime,
        Uid = 0,
        Gid = 0,
        UserName = "",
        GroupName = "",
    };

    private static DateTimeOffset SourceDateEpoch() =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), out var seconds) && seconds >= 0
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UnixEpoch;
}
