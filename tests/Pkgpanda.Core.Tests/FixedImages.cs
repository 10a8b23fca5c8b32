using Pkgpanda.Core.Hashing;

namespace Pkgpanda.Core.Tests;

/// <summary>
/// Image ids for id-computation tests that are about hashing, not Docker: each image name maps to a fixed
/// id. The Docker-backed resolver is exercised by the end-to-end tests against the real engine.
/// </summary>
public sealed class FixedImages(Dictionary<string, string>? ids = null) : IImageResolver
{
    public const string DefaultImage = "dcos/dcos-builder:dcos-builder_dockerdir-latest";
    public const string DefaultId = "sha256:41645dbb218d744cd25ecf736eaacdceecc5c7064f0ba1c007fb0353ebaf3d27";

    private readonly Dictionary<string, string> _ids = ids ?? new() { [DefaultImage] = DefaultId };

    public Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken) =>
        _ids.TryGetValue(image, out var id) ? Task.FromResult(id) : throw new BuildError($"The Docker image \"{image}\" is not present.");
}
