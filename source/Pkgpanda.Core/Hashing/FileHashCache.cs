using System.Globalization;
using System.Text;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Hashing;

/// <summary>
/// The sha1 of files already hashed, remembered by path and <see cref="FileStamp"/> as git's index remembers them, so
/// an unchanged <c>extra/</c> or <c>docker/</c> folder is not read again on every run. A file is read again when any
/// part of its stamp differs. A file changed within the last two seconds is not remembered ("racy", as git calls it):
/// a second write in the same clock tick could keep its stamp. Package ids never depend on this cache; it only saves
/// reading files.
/// </summary>
/// <remarks>
/// One text file in the cache folder, replaced by a rename (never half-written), written only when an entry was added.
/// Two runs at once each write a whole file: the last one wins, and an entry either is right for its stamp or is not
/// used. The file ends with a count, so a truncated file is ignored.
/// </remarks>
public sealed class FileHashCache
{
    private const string Header = "pkgpanda file hashes 1";
    private const int MaxEntries = 200_000;

    private readonly string _path;
    private readonly long _racyNs;
    private readonly Dictionary<string, (FileStamp Stamp, string Sha1)> _entries;
    private readonly Lock _lock = new();
    private bool _changed;

    private FileHashCache(string path, TimeSpan racy, Dictionary<string, (FileStamp, string)> entries)
    {
        _path = path;
        _racyNs = racy.Ticks * 100;
        _entries = entries;
    }

    /// <summary>The file this cache is kept in.</summary>
    public string Path => _path;

    /// <summary>Files answered from the cache, and files read, since it was opened.</summary>
    internal int Hits { get; private set; }

    internal int Reads { get; private set; }

    /// <summary>Reads the cache kept in <paramref name="path"/>; a missing, unreadable or damaged file is an empty cache.</summary>
    public static FileHashCache Open(string path) => Open(path, TimeSpan.FromSeconds(2));

    /// <param name="racy">How recently changed a file must not be to be remembered (tests shorten it).</param>
    internal static FileHashCache Open(string path, TimeSpan racy) => new(path, racy, Read(path));

    /// <summary>The sha1 (hex) of the file's contents; throws what reading it throws.</summary>
    public string Sha1(string file)
    {
        var stamp = FileStamp.Of(file);
        if (stamp is { } known)
            lock (_lock)
                if (_entries.TryGetValue(file, out var entry) && entry.Stamp == known)
                {
                    Hits++;
                    return entry.Sha1;
                }

        var sha1 = FolderHash.FileSha1(file);
        var nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        lock (_lock)
        {
            Reads++;
            // Remembered only when the file held still while it was read, and was last changed well before now.
            if (stamp is { } before && before.NewestNs < nowNs - _racyNs && FileStamp.Of(file) == before && !file.Contains('\n'))
            {
                _entries[file] = (before, sha1);
                _changed = true;
            }
        }
        return sha1;
    }

    /// <summary>
    /// Drops the entries of <paramref name="path"/> (a file, or every file under a folder) after a fresh read found a
    /// sum that differs from the one they gave: returns whether one of them still matched its file's stamp, i.e. the
    /// file did not change and the entry itself was wrong (the cache file damaged or edited, or a clock gone wrong).
    /// </summary>
    public bool Forget(string path)
    {
        var folder = path.TrimEnd('/') + "/";
        var vouched = false;
        lock (_lock)
        {
            foreach (var file in _entries.Keys.Where(f => f == path || f.StartsWith(folder, StringComparison.Ordinal)).ToList())
            {
                vouched |= FileStamp.Of(file) == _entries[file].Stamp;
                _entries.Remove(file);
                _changed = true;
            }
        }
        return vouched;
    }

    /// <summary>Writes the cache when something was added. Best effort: a read-only cache folder only costs speed.</summary>
    public void Save()
    {
        string text;
        lock (_lock)
        {
            if (!_changed) return;
            text = Render(_entries.Count > MaxEntries ? [] : _entries);
            _changed = false;
        }
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_path))!;
        var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(_path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            // No fsync: after a crash the file is either whole, or truncated and then ignored (it ends with its count).
            File.WriteAllText(temporary, text);
            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static string Render(IReadOnlyDictionary<string, (FileStamp Stamp, string Sha1)> entries)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var (path, (s, sha1)) in entries)
            text.Append(CultureInfo.InvariantCulture, $"{sha1} {s.Size} {s.ModifiedNs} {s.ChangedNs} {s.Inode} {s.Device} {path}\n");
        return text.Append(CultureInfo.InvariantCulture, $"end {entries.Count}\n").ToString();
    }

    private static Dictionary<string, (FileStamp, string)> Read(string path)
    {
        var entries = new Dictionary<string, (FileStamp, string)>(StringComparer.Ordinal);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return entries; }
        if (lines.Length < 2 || lines[0] != Header || lines[^1] != $"end {lines.Length - 2}") return [];
        for (var i = 1; i < lines.Length - 1; i++)
        {
            var f = lines[i].Split(' ', 7);
            if (f.Length != 7 || f[0].Length != 40 || !f[0].All(char.IsAsciiHexDigitLower)
                || !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || !long.TryParse(f[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mtime)
                || !long.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ctime)
                || !ulong.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                || !ulong.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var device))
                return [];
            entries[f[6]] = (new FileStamp(size, mtime, ctime, inode, device), f[0]);
        }
        return entries;
    }
}
