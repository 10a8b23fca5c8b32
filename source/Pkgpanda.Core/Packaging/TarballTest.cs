using System.Formats.Tar;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// Reads a <c>.tar.xz</c> through to its end as unpacking it would (every xz block and its check, every tar header),
/// writing nothing: whether a tarball nobody recorded (a download, one left without its record) can be used.
/// </summary>
internal static class TarballTest
{
    /// <summary>Null when the tarball reads whole; else what is wrong with it, for a message ("xz data is corrupt").</summary>
    /// <exception cref="IOException">The file cannot be read (the caller names it).</exception>
    public static string? Problem(string tarball, CancellationToken cancellationToken = default)
    {
        try
        {
            using var input = new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var xz = Xz.Decompress(input);
            using var reader = new TarReader(xz);
            // The reader skips an entry's data on its way to the next header.
            while (reader.GetNextEntry(copyData: false) is not null) cancellationToken.ThrowIfCancellationRequested();
            // Whatever follows the tar's end (its zero blocks) still has to pass the xz checks.
            xz.CopyTo(Stream.Null);
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            return ex.Message.TrimEnd('.');
        }
    }
}
