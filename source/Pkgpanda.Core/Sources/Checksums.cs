using System.Security.Cryptography;

namespace Pkgpanda.Core.Sources;

/// <summary>The sha1 and sha256 of some bytes, computed in one pass (lowercase hex).</summary>
internal sealed record Checksums(string Sha1, string Sha256)
{
    public static async Task<Checksums> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        using var hasher = new Hasher();
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            hasher.Append(buffer.AsSpan(0, n));
        return hasher.Finish();
    }

    /// <summary>What is wrong compared to the expected sums (either may be null = not checked); null when they match.</summary>
    public string? Mismatch(string? sha1, string? sha256)
    {
        var wrong = new List<string>();
        if (sha1 is not null && sha1 != Sha1) wrong.Add($"sha1 expected {sha1}, actual {Sha1}");
        if (sha256 is not null && sha256 != Sha256) wrong.Add($"sha256 expected {sha256}, actual {Sha256}");
        return wrong.Count == 0 ? null : string.Join("; ", wrong);
    }

    internal sealed class Hasher : IDisposable
    {
        private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Append(ReadOnlySpan<byte> data)
        {
            _sha1.AppendData(data);
            _sha256.AppendData(data);
        }

        public Checksums Finish() => new(Convert.ToHexStringLower(_sha1.GetHashAndReset()), Convert.ToHexStringLower(_sha256.GetHashAndReset()));

        public void Dispose()
        {
            _sha1.Dispose();
            _sha256.Dispose();
        }
    }
}
