namespace Pkgpanda.Core.Runners;

/// <summary>Turns an image name into the engine's image id (<c>sha256:...</c>), which is part of every package id.</summary>
public interface IImageResolver
{
    /// <summary>Throws <see cref="BuildError"/> naming the image when it is not present.</summary>
    Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken);
}
