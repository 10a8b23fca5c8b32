using System.Formats.Tar;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Reads a built .tar.xz (package or bootstrap bundle) back: entries by name, with their bytes.</summary>
public static class Tarball
{
    public sealed record Content(Dictionary<string, TarEntry> Entries, Dictionary<string, byte[]> Files)
    {
        public string Text(string name) => System.Text.Encoding.UTF8.GetString(Files[name]);
    }

    public static async Task<Content> ReadAsync(string path)
    {
        var entries = new Dictionary<string, TarEntry>();
        var files = new Dictionary<string, byte[]>();
        await using var file = File.OpenRead(path);
        await using var xz = Xz.Decompress(file);
        await using var reader = new TarReader(xz);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            entries[entry.Name] = entry;
            if (entry.DataStream is null) continue;
            using var bytes = new MemoryStream();
            await entry.DataStream.CopyToAsync(bytes);
            files[entry.Name] = bytes.ToArray();
        }
        return new Content(entries, files);
    }
}
