namespace Pkgpanda.Core.Repositories;

/// <summary>What a publish did: objects uploaded, objects already there with the same sha256, pointers written.</summary>
public sealed record PublishResult(IReadOnlyList<string> Uploaded, IReadOnlyList<string> Skipped, IReadOnlyList<string> Pointers, long UploadedBytes);
