namespace Pkgpanda.Core.Sources;

/// <summary>
/// How downloads behave. <see cref="Http"/> is shared by all downloads (null: one client per
/// <see cref="SourceFetchers"/>). A failed attempt waits <see cref="RetryDelay"/>, doubling each time.
/// </summary>
public sealed record FetchOptions
{
    public HttpClient? Http { get; init; }
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>An attempt that receives nothing (no answer, or a body that stops) for this long fails, and is retried.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Download progress is reported at most once per this many bytes.</summary>
    public long ProgressStep { get; init; } = 1 << 20;

    public static FetchOptions Default { get; } = new();
}
