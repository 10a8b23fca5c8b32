namespace Pkgpanda.Core.Repositories;

/// <summary>
/// A place where machines share built packages, addressed by paths relative to its root in pkgpanda's layout
/// (<c>packages/&lt;name&gt;/&lt;id&gt;.tar.xz</c>, <c>bootstrap/...</c>, <c>complete/...</c>).
/// Kept small on purpose: verification, skipping and ordering belong to <see cref="Publisher"/> and
/// <see cref="PackageDownloader"/>, so every kind of repository behaves the same.
/// </summary>
/// <remarks>
/// Failures: a missing object is <c>false</c>/<c>null</c>; a repository that does not answer throws
/// <see cref="RepositoryUnavailableException"/>; a refusal (wrong token, no PUT) throws <see cref="BuildError"/>.
/// No message ever contains a credential.
/// </remarks>
public interface IRepository : IDisposable
{
    /// <summary>The repository's address as it may be shown to a user (never with a credential).</summary>
    string Url { get; }

    /// <summary>Writes the object to <paramref name="destinationFile"/> (replacing it); false when the object does not exist.</summary>
    Task<bool> TryDownloadAsync(string relativePath, string destinationFile, IProgress<long>? bytes, CancellationToken cancellationToken);

    /// <summary>A small object's text (a sidecar, a pointer); null when it does not exist.</summary>
    Task<string?> TryReadTextAsync(string relativePath, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="file"/> under <paramref name="relativePath"/>, replacing what is there. The object appears
    /// whole or not at all (a folder renames a temporary file; nginx's WebDAV PUT does the same on its side).
    /// </summary>
    Task UploadAsync(string relativePath, string file, IProgress<long>? bytes, CancellationToken cancellationToken);
}
