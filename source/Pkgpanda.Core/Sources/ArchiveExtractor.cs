using System.Formats.Tar;
using System.IO.Compression;
using SCCompressionMode = SharpCompress.Compressors.CompressionMode;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// Extracts a <c>url_extract</c> archive with its single top-level folder stripped (tar's
/// <c>--strip-components=1</c>, as pkgpanda did). The whole archive is read and checked first: an entry that
/// would land outside the target (<c>..</c>, absolute names, symlinks or hardlinks leading out, files written
/// through such links) refuses the archive before anything is written. Executable bits and symlinks are kept.
/// </summary>
/// <remarks>
/// SharpCompress decompresses bzip2 and xz. gzip goes through the BCL's GZipStream, because SharpCompress 0.50.8's
/// gzip reader reported bad CRCs on valid streams written by .NET. The containers are read with System.Formats.Tar and
/// System.IO.Compression because they expose exactly what the safety checks need: the entry type (symlink
/// versus hardlink) and the Unix mode.
/// </remarks>
internal static class ArchiveExtractor
{
    private const int MaxLinkHops = 40;

    private static readonly string[] Suffixes = [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip"];

    public static bool IsSupported(string fileName) => Suffixes.Any(s => fileName.EndsWith(s, StringComparison.Ordinal));

    /// <summary>Extracts <paramref name="archive"/> into the empty folder <paramref name="target"/>; <paramref name="shownAs"/> names it in errors.</summary>
    public static void Extract(string archive, string target, string shownAs, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(target);
        if (Directory.EnumerateFileSystemEntries(target).Any())
            throw new InvalidOperationException($"{target} must be empty before extraction.");
        var plan = Check(archive, shownAs, cancellationToken);
        Write(archive, target, shownAs, plan, cancellationToken);
    }

    /// <summary>
    /// Reads the whole archive and applies every check <see cref="Extract"/> applies, writing nothing: what Fetch runs,
    /// so that a fetched archive is known to be extractable before any build needs it.
    /// </summary>
    public static void Verify(string archive, string shownAs, CancellationToken cancellationToken = default) =>
        Check(archive, shownAs, cancellationToken);

    private static List<Entry> Check(string archive, string shownAs, CancellationToken cancellationToken)
    {
        if (!IsSupported(Path.GetFileName(archive)))
            throw new BuildError($"{shownAs}: unsupported archive type; url_extract handles {string.Join(", ", Suffixes)}.");
        return Plan(ReadEntries(archive, shownAs, withData: false, cancellationToken).Select(e => e.Entry).ToList(), shownAs);
    }

    private enum Kind { Directory, File, Symlink, Hardlink }

    /// <summary>An archive entry with its name split into components, the top-level folder already removed.</summary>
    private sealed record Entry(string Name, Kind Kind, string? LinkTarget, UnixFileMode? Mode)
    {
        public string[] Parts { get; init; } = [];
        public string Path => string.Join('/', Parts);
    }

    private sealed record Reading(Entry Entry, Stream? Data);

    private static IEnumerable<Reading> ReadEntries(string archive, string shownAs, bool withData, CancellationToken cancellationToken)
    {
        return archive.EndsWith(".zip", StringComparison.Ordinal)
            ? ReadZip(archive, shownAs, withData, cancellationToken)
            : ReadTar(archive, shownAs, cancellationToken);
    }

    private static IEnumerable<Reading> ReadTar(string archive, string shownAs, CancellationToken cancellationToken)
    {
        using var file = File.OpenRead(archive);
        using var stream = Decompress(file, archive);
        using var reader = new TarReader(stream);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TarEntry? e;
            try { e = reader.GetNextEntry(copyData: false); }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or IOException)
            {
                throw new BuildError($"{shownAs}: not a readable archive: {ex.Message}");
            }
            if (e is null) yield break;
            var kind = e.EntryType switch
            {
                TarEntryType.Directory => Kind.Directory,
                TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => Kind.File,
                TarEntryType.SymbolicLink => Kind.Symlink,
                TarEntryType.HardLink => Kind.Hardlink,
                TarEntryType.GlobalExtendedAttributes => (Kind?)null,
                _ => throw new BuildError($"{shownAs}: entry \"{e.Name}\" is a {e.EntryType}; only folders, files and links can be extracted."),
            };
            if (kind is null) continue;
            yield return new Reading(new Entry(e.Name, kind.Value, kind is Kind.Symlink or Kind.Hardlink ? e.LinkName : null, e.Mode), e.DataStream);
        }
    }

    private static Stream Decompress(Stream file, string archive)
    {
        if (archive.EndsWith(".tar.gz", StringComparison.Ordinal) || archive.EndsWith(".tgz", StringComparison.Ordinal))
            return new GZipStream(file, CompressionMode.Decompress);
        if (archive.EndsWith(".tar.bz2", StringComparison.Ordinal))
            return BZip2Stream.Create(file, SCCompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true);
        if (archive.EndsWith(".tar.xz", StringComparison.Ordinal))
            return new XZStream(file);
        return file;
    }

    private static IEnumerable<Reading> ReadZip(string archive, string shownAs, bool withData, CancellationToken cancellationToken)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(archive); }
        catch (InvalidDataException ex) { throw new BuildError($"{shownAs}: not a readable zip archive: {ex.Message}"); }
        using (zip)
        {
            foreach (var e in zip.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The high 16 bits hold the Unix mode when the zip was made on Unix; 0 means "not recorded".
                var unix = (e.ExternalAttributes >> 16) & 0xFFFF;
                var type = unix & 0xF000;
                UnixFileMode? mode = unix == 0 ? null : (UnixFileMode)(unix & 0xFFF);
                if (type == 0xA000)
                {
                    using var s = e.Open();
                    using var text = new StreamReader(s);
                    yield return new Reading(new Entry(e.FullName, Kind.Symlink, text.ReadToEnd(), mode), null);
                }
                else if (e.FullName.EndsWith('/') || type == 0x4000)
                    yield return new Reading(new Entry(e.FullName, Kind.Directory, null, mode), null);
                else if (type is 0 or 0x8000)
                {
                    using var data = withData ? e.Open() : null;
                    yield return new Reading(new Entry(e.FullName, Kind.File, null, mode), data);
                }
                else
                    throw new BuildError($"{shownAs}: entry \"{e.FullName}\" is a special file; only folders, files and links can be extracted.");
            }
        }
    }

    /// <summary>
    /// Checks every entry against the final set of symlinks and returns the entries to write. Symlinks are
    /// resolved the way the kernel will resolve them after extraction, so a link that is harmless on its own
    /// but leads out through another link is caught too.
    /// </summary>
    private static List<Entry> Plan(List<Entry> entries, string shownAs)
    {
        BuildError Refuse(Entry e, string why) =>
            new($"{shownAs}: entry \"{e.Name}\" {why}; the archive was refused and nothing was extracted.");

        var tops = new SortedSet<string>(StringComparer.Ordinal);
        var stripped = new List<Entry>();
        foreach (var e in entries)
        {
            if (e.Name.StartsWith('/'))
                throw Refuse(e, "has an absolute path");
            var parts = e.Name.Split('/').Where(p => p.Length > 0 && p != ".").ToArray();
            if (parts.Contains(".."))
                throw Refuse(e, "contains \"..\" and would be written outside the source folder");
            if (parts.Length == 0) continue;
            tops.Add(parts[0]);
            if (parts.Length == 1)
            {
                if (e.Kind != Kind.Directory)
                    throw new BuildError($"{shownAs}: the archive has a file \"{parts[0]}\" at the top level; url_extract strips one top-level folder, so everything must be inside a single folder.");
                continue;
            }
            stripped.Add(e with { Parts = parts[1..] });
        }
        if (tops.Count != 1)
            throw new BuildError(tops.Count == 0
                ? $"{shownAs}: the archive is empty."
                : $"{shownAs}: the archive has {tops.Count} top-level entries ({string.Join(", ", tops.Take(5))}{(tops.Count > 5 ? ", ..." : "")}); " +
                  "url_extract strips one top-level folder, so everything must be inside a single folder.");
        var top = tops.Min!;

        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in stripped.Where(e => e.Kind == Kind.Symlink))
        {
            if (string.IsNullOrEmpty(e.LinkTarget) || e.LinkTarget.StartsWith('/'))
                throw Refuse(e, $"is a symlink to the absolute path \"{e.LinkTarget}\", outside the source folder");
            if (!links.TryAdd(e.Path, e.LinkTarget))
                throw Refuse(e, "appears twice as a symlink");
        }

        // Paths that exist as real folders or files at each point of the extraction, in archive order.
        var created = new HashSet<string>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<Entry>();
        foreach (var e in stripped)
        {
            if (Resolve(e.Parts[..^1], [], links) is not { } parent)
                throw Refuse(e, "would be written through a symlink that leads outside the source folder");
            for (var i = 1; i < e.Parts.Length; i++)
            {
                var folder = string.Join('/', e.Parts[..i]);
                // tar stops at such an archive ("Not a directory"); so does this, by name, before anything is written.
                if (files.Contains(folder)) throw Refuse(e, $"lies inside \"{top}/{folder}\", which the archive has as a file");
                created.Add(folder);
            }
            if (e.Kind is Kind.File or Kind.Hardlink && created.Contains(e.Path))
                throw Refuse(e, "is a file where the archive has a folder of the same name");
            if (e.Kind == Kind.Directory && files.Contains(e.Path))
                throw Refuse(e, "is a folder where the archive has a file of the same name");

            switch (e.Kind)
            {
                case Kind.Symlink:
                    if (created.Contains(e.Path) || files.Contains(e.Path))
                        throw Refuse(e, "replaces a folder or file of the archive with a symlink");
                    var target = e.LinkTarget!.Split('/');
                    if (Resolve(parent, target, links) is null)
                        throw Refuse(e, $"is a symlink to \"{e.LinkTarget}\", which leads outside the source folder");
                    break;
                case Kind.Hardlink:
                    var linkParts = (e.LinkTarget ?? "").Split('/').Where(p => p.Length > 0 && p != ".").ToArray();
                    if ((e.LinkTarget ?? "").StartsWith('/') || linkParts.Length < 2 || linkParts[0] != top || linkParts.Contains(".."))
                        throw Refuse(e, $"is a hardlink to \"{e.LinkTarget}\", outside the source folder");
                    var source = string.Join('/', linkParts[1..]);
                    if (!files.Contains(source))
                        throw Refuse(e, $"is a hardlink to \"{e.LinkTarget}\", which is not a file extracted before it");
                    if (links.ContainsKey(e.Path)) throw Refuse(e, "is both a symlink and a hardlink");
                    plan.Add(e with { LinkTarget = source });
                    files.Add(e.Path);
                    continue;
                default:
                    if (links.ContainsKey(e.Path))
                        throw Refuse(e, "replaces a symlink of the archive, so it would be written where the link points");
                    if (e.Kind == Kind.File) files.Add(e.Path);
                    break;
            }
            if (e.Kind == Kind.Directory) created.Add(e.Path);
            plan.Add(e);
        }
        return plan;
    }

    /// <summary>
    /// Resolves <paramref name="start"/> (already physical) followed by <paramref name="rest"/>, following symlinks in
    /// every component; null when the path climbs above the target folder or loops.
    /// </summary>
    private static List<string>? Resolve(IEnumerable<string> start, IEnumerable<string> rest, IReadOnlyDictionary<string, string> links)
    {
        var stack = new List<string>();
        var queue = new LinkedList<string>(start.Concat(rest));
        var hops = 0;
        while (queue.First is { } node)
        {
            var part = node.Value;
            queue.RemoveFirst();
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (stack.Count == 0) return null;
                stack.RemoveAt(stack.Count - 1);
                continue;
            }
            var path = string.Join('/', stack.Append(part));
            if (links.TryGetValue(path, out var target))
            {
                if (++hops > MaxLinkHops || target.StartsWith('/')) return null;
                foreach (var p in target.Split('/').Reverse()) queue.AddFirst(p);
                continue;
            }
            stack.Add(part);
        }
        return stack;
    }

    private static void Write(string archive, string target, string shownAs, List<Entry> plan, CancellationToken cancellationToken)
    {
        var byName = plan.ToLookup(e => e.Name, StringComparer.Ordinal);
        var folderModes = new List<(string Path, UnixFileMode Mode)>();
        const UnixFileMode Permissions = (UnixFileMode)0x1FF;

        foreach (var reading in ReadEntries(archive, shownAs, withData: true, cancellationToken))
        {
            var e = byName[reading.Entry.Name].FirstOrDefault(p => p.Kind == reading.Entry.Kind && p.LinkTarget is null == reading.Entry.LinkTarget is null);
            if (e is null) continue;
            var path = System.IO.Path.Combine(target, e.Path);
            var parent = System.IO.Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(parent);
            switch (e.Kind)
            {
                case Kind.Directory:
                    Directory.CreateDirectory(path);
                    if (e.Mode is { } dirMode) folderModes.Add((path, dirMode & Permissions));
                    break;
                case Kind.File:
                    using (var output = new FileStream(path, FileMode.Create, FileAccess.Write))
                        reading.Data?.CopyTo(output);
                    SetMode(path, (e.Mode ?? (UnixFileMode)0x1A4) & Permissions);
                    break;
                case Kind.Symlink:
                    File.CreateSymbolicLink(path, e.LinkTarget!);
                    break;
                case Kind.Hardlink:
                    // A copy: the build gets the same content and mode without linking two names of the source.
                    File.Copy(System.IO.Path.Combine(target, e.LinkTarget!), path, overwrite: true);
                    break;
            }
        }
        // Folders get their modes last, so a read-only folder does not stop its own entries from being written.
        foreach (var (path, mode) in Enumerable.Reverse(folderModes))
            SetMode(path, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }
}
