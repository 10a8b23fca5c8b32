using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SCCompressionMode = SharpCompress.Compressors.CompressionMode;

namespace Pkgpanda.Core.Tests.Sources;

/// <summary>Archives built by tests, entry by entry, so malicious names and links can be written on purpose.</summary>
public static class TestArchive
{
    public sealed record Item(string Name, TarEntryType Type, string? Content = null, string? Link = null, UnixFileMode Mode = (UnixFileMode)0x1A4);

    public static Item Dir(string name) => new(name, TarEntryType.Directory, Mode: (UnixFileMode)0x1ED);
    public static Item File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4) => new(name, TarEntryType.RegularFile, content, Mode: mode);
    public static Item Exec(string name, string content) => File(name, content, (UnixFileMode)0x1ED);
    public static Item Symlink(string name, string target) => new(name, TarEntryType.SymbolicLink, Link: target, Mode: (UnixFileMode)0x1FF);
    public static Item Hardlink(string name, string target) => new(name, TarEntryType.HardLink, Link: target);

    /// <summary>Writes the archive; the compression follows the file name (.tar.gz, .tgz, .tar.bz2, .tar.xz, .zip).</summary>
    public static string Write(string path, params Item[] items)
    {
        if (path.EndsWith(".zip", StringComparison.Ordinal)) return WriteZip(path, items);
        if (path.EndsWith(".tar.xz", StringComparison.Ordinal))
        {
            var tar = path[..^3];
            WriteTar(System.IO.File.Create(tar), items);
            // The xz command line tool is the real encoder users' archives come from.
            using var xz = Process.Start(new ProcessStartInfo("xz", ["-z", "-f", tar]) { RedirectStandardError = true })!;
            xz.WaitForExit();
            if (xz.ExitCode != 0) throw new InvalidOperationException("xz failed: " + xz.StandardError.ReadToEnd());
            return path;
        }
        var file = System.IO.File.Create(path);
        Stream output = path.EndsWith(".tar.gz", StringComparison.Ordinal) || path.EndsWith(".tgz", StringComparison.Ordinal)
            ? new GZipStream(file, CompressionLevel.Fastest)
            : path.EndsWith(".tar.bz2", StringComparison.Ordinal)
                ? BZip2Stream.Create(file, SCCompressionMode.Compress, decompressConcatenated: false)
                : file;
        WriteTar(output, items);
        return path;
    }

    private static void WriteTar(Stream output, Item[] items)
    {
        using (output)
        using (var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var item in items)
            {
                var entry = new GnuTarEntry(item.Type, item.Name) { Mode = item.Mode };
                if (item.Link is not null) entry.LinkName = item.Link;
                if (item.Content is not null) entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(item.Content));
                writer.WriteEntry(entry);
            }
        }
    }

    private static string WriteZip(string path, Item[] items)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var item in items)
        {
            var (type, body) = item.Type switch
            {
                TarEntryType.Directory => (0x4000, null),
                TarEntryType.SymbolicLink => (0xA000, item.Link),
                _ => (0x8000, item.Content),
            };
            var name = item.Type == TarEntryType.Directory && !item.Name.EndsWith('/') ? item.Name + "/" : item.Name;
            var entry = zip.CreateEntry(name);
            entry.ExternalAttributes = (type | (int)item.Mode) << 16;
            if (body is null) continue;
            using var s = entry.Open();
            s.Write(System.Text.Encoding.UTF8.GetBytes(body));
        }
        return path;
    }
}
