namespace Pkgpanda.Core.Repositories;

/// <summary>How a repository is talked to; the defaults suit a shared server on a local network.</summary>
public sealed record RepositoryOptions
{
    /// <summary>Tries per request before the repository counts as not answering (server errors, broken connections).</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>The wait before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>A request that gets nothing back (no answer, or a download that stops) for this long fails, and is retried.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A whole request, body included; generous because packages can be hundreds of megabytes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Where a relative folder path is resolved (default: the current directory).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Retries are reported here as warnings.</summary>
    public IProgress<RepositoryEvent>? Events { get; init; }
}
