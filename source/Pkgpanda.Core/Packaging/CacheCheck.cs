namespace Pkgpanda.Core.Packaging;

/// <summary>Whether a package tarball is in the cache and whole.</summary>
public enum CacheState { Missing, Verified, Corrupt }

/// <summary>The outcome of <see cref="PackageCache.Check"/>; <see cref="Problem"/> says what is wrong with a corrupt tarball.</summary>
public sealed record CacheCheck(CacheState State, string? Problem = null)
{
    public static CacheCheck Missing { get; } = new(CacheState.Missing);

    public static CacheCheck Verified { get; } = new(CacheState.Verified);

    public static CacheCheck Corrupt(string problem) => new(CacheState.Corrupt, problem);
}
