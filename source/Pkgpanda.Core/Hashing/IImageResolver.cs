namespace Pkgpanda.Core.Hashing;

/// <summary>
/// Turns an image name into the engine's image id (<c>sha256:...</c>), which is part of every package id.
/// Hashing owns this contract and runners implement it, so ids can be computed without knowing any engine.
/// </summary>
public interface IImageResolver
{
    /// <summary>Throws <see cref="BuildError"/> naming the image when it is not present.</summary>
    Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken);
}
