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

    /// <summary>
    /// Files the build program itself rewrites in its repository (NUKE's <c>.nuke/build.schema.json</c>, generated
    /// workflows), as full paths: a <c>git_local</c> source's check for uncommitted changes passes over them, since
    /// the build reads HEAD's commit, never the work tree, and a new target must not make the next run refuse it.
    /// </summary>
    public IReadOnlyCollection<string> GeneratedFiles { get; init; } = [];

    public static FetchOptions Default { get; } = new();
}
