using Pkgpanda.Core.Hashing;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// The images of one engine (melange's Loader): resolve, build, tag, import, and copy between engines with
/// save/load, which keeps the image id (and with it every package id).
/// </summary>
public interface IImageStore : IImageResolver
{
    /// <summary>Where the images live, as the user named it.</summary>
    string Address { get; }

    Task<string?> TryGetImageIdAsync(string image, CancellationToken cancellationToken);

    /// <summary>Builds an image from a folder with a Dockerfile, offline; returns its id.</summary>
    Task<string> BuildImageAsync(string contextDirectory, string tag, IProgress<string>? output, CancellationToken cancellationToken);

    Task TagImageAsync(string imageId, string tag, CancellationToken cancellationToken);

    /// <summary>Creates an image from a root filesystem tar (what <c>docker import</c> does); returns its id.</summary>
    Task<string> ImportImageAsync(Stream rootfsTar, string tag, CancellationToken cancellationToken);

    /// <summary><paramref name="image"/> (a name or id) as an image archive (<c>docker save</c>), read as it streams.</summary>
    Task<Stream> SaveImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>Loads an image archive (<c>docker load</c>); the ids and tags in it are kept.</summary>
    Task LoadImageAsync(Stream archive, CancellationToken cancellationToken);
}
