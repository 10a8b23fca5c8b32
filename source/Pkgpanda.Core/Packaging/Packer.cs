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
    public static Task PackAsync(string folder, string destination, PackOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        PackAsync(Entries(folder, cancellationToken), destination, options, progress, cancellationToken);

    /// <summary>
    /// The entries a package of <paramref name="folder"/> holds, in the tarball's order, checked (names, kinds, path
    /// lengths): what cannot be packed is refused here, by name, before anything is written.
    /// </summary>
    public static IReadOnlyList<(string Name, FileSystemInfo Info)> Entries(string folder, CancellationToken cancellationToken = default)
    {
        var root = new DirectoryInfo(folder);
        if (!root.Exists) throw new BuildError($"{folder}: the folder to pack does not exist.");
        var entries = new List<(string Name, FileSystemInfo Info)> { ("./", root) };
        List(root, "./", entries, cancellationToken);
        // Each entry's stat is taken now, once: packing and a copy for a dependant (Activation) then read the entries at once.
        foreach (var (_, info) in entries) _ = info.UnixFileMode;
        return entries;
    }

    /// <summary>Packs entries listed by <see cref="Entries"/> (the folder unchanged since).</summary>
    public static async Task PackAsync(IReadOnlyList<(string Name, FileSystemInfo Info)> entries, string destination, PackOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PackOptions();
        // The entries are listed first: their total size picks the xz block size, so the bytes depend on nothing else.
        await AtomicFile.WriteAsync(destination, async file =>
        {
            await using var xz = Xz.Compress(file, options.Xz, leaveOpen: true, inputSize: TarSize(entries), cancellation: cancellationToken);
            await WriteTarAsync(entries, xz, options, progress, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tar inside the tarball, uncompressed: unpacking it gives what unpacking the tarball would.</summary>
    public static async Task WriteTarAsync(IReadOnlyList<(string Name, FileSystemInfo Info)> entries, Stream output, PackOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var mtime = (options ?? new PackOptions()).ModificationTime ?? SourceDateEpoch();
        await using var tar = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var (name, info) in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(name);
            if (info.LinkTarget is { } target && name != "./")
            {
                var link = Entry(TarEntryType.SymbolicLink, name, (UnixFileMode)0b111_111_111, mtime);
                link.LinkName = target;
                await tar.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
            }
            else if (info is DirectoryInfo directory)
                await tar.WriteEntryAsync(Entry(TarEntryType.Directory, name, directory.UnixFileMode, mtime), cancellationToken).ConfigureAwait(false);
            else
                await WriteFileAsync(tar, (FileInfo)info, name, mtime, cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly EnumerationOptions AllEntries = new()
    {
        AttributesToSkip = 0, // dot files are "hidden" on Unix; a package keeps them
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Depth first, each folder's children sorted; a link (to a folder too) is an entry of its own, never followed.</summary>
    private static void List(DirectoryInfo folder, string prefix, List<(string, FileSystemInfo)> entries, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<FileSystemInfo> children;
        try { children = folder.EnumerateFileSystemInfos("*", AllEntries).OrderBy(c => c.Name, CodePointComparer.Instance).ToList(); }
        catch (DirectoryNotFoundException ex) when (folder.FullName.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(folder.FullName) >= PathMax - 1024)
        {
            throw TooLong(folder.FullName, prefix, ex);
        }
        foreach (var child in children)
        {
            var name = prefix + child.Name;
            Packable(folder, child, name);
            if (child.LinkTarget is null && child is DirectoryInfo directory)
            {
                entries.Add((name + "/", directory));
                List(directory, name + "/", entries, cancellationToken);
            }
            else if (child.LinkTarget is null && Store.FileType.Of(child.FullName, followLinks: false) is var kind && Store.FileType.IsSpecial(kind))
                // tar would keep it as an empty file: a package holds files, folders and links.
                throw new BuildError($"{child.FullName}: the build made {Store.FileType.Describe(kind)} here, which a package cannot hold " +
                                     "(files, folders and symbolic links only); remove it before the build script ends, or make it where the package is installed.");
            else entries.Add((name, child));
        }
    }

    /// <summary>The longest path Linux opens (PATH_MAX, with its terminating zero).</summary>
    private const int PathMax = 4096;

    /// <summary>
    /// A name the packer can read back: one that is not UTF-8 (.NET sees U+FFFD in it and finds no such file) and a path
    /// too long to open on this machine are refused by name, before anything is written.
    /// </summary>
    private static void Packable(DirectoryInfo folder, FileSystemInfo child, string name)
    {
        // .NET gives an entry below PATH_MAX's reach an empty full name.
        if (child.FullName.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(child.FullName) >= PathMax)
            throw TooLong(Path.Join(folder.FullName, child.Name), name);
        if (child.Name.Contains('\uFFFD') && Store.FileType.Of(child.FullName) == FileKind.Missing)
            throw new BuildError($"{child.FullName}: the build made a file whose name is not UTF-8 here (\"{Shown(name)}\" in the package, the bad bytes shown as \uFFFD); " +
                                 "a package's names must be UTF-8 (its tar, the pkgpanda tools and the JSON that name files need it): rename it in the build script.");
    }

    private static BuildError TooLong(string path, string name, Exception? inner = null)
    {
        var message = $"{path[..Math.Min(200, path.Length)]}...: the build made a path of {System.Text.Encoding.UTF8.GetByteCount(path)}+ bytes here (\"{Shown(name)}\" in the package), longer " +
            $"than Linux opens ({PathMax - 1} bytes) on this machine, where its build folder lies deeper than $PKG_PATH does in the container; a package " +
            "cannot hold it: make that folder tree shallower.";
        return inner is null ? new BuildError(message) : new BuildError(message, inner);
    }

    /// <summary>A package path in a message: its start, when it is very long.</summary>
    private static string Shown(string name) => name.Length > 160 ? name[..160] + "..." : name;

    /// <summary>
    /// The size of the tar about to be written (a header per entry, GNU long-name records, data padded to 512 bytes,
    /// the two zero records at the end). Only the block size depends on it, so a close estimate would do.
    /// </summary>
    private static long TarSize(IReadOnlyList<(string Name, FileSystemInfo Info)> entries)
    {
        static long Record(long bytes) => (bytes + 511) / 512 * 512;
        long total = 1024;
        foreach (var (name, info) in entries)
        {
            total += 512;
            var nameBytes = System.Text.Encoding.UTF8.GetByteCount(name);
            if (nameBytes > 100) total += 512 + Record(nameBytes + 1);
            if (info.LinkTarget is { } target && name != "./")
            {
                var targetBytes = System.Text.Encoding.UTF8.GetByteCount(target);
                if (targetBytes > 100) total += 512 + Record(targetBytes + 1);
            }
            else if (info is FileInfo file) total += Record(file.Length);
        }
        return total;
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
