namespace Pkgpanda.Core.Sources;

/// <summary>
/// What fetching reports while it works. <see cref="Source"/> names the source as <c>package/source</c>
/// (or <c>upstream</c>) so a front end can show one line per source.
/// </summary>
public abstract record FetchEvent(string Source);

/// <summary>Work on a source began; <paramref name="Location"/> is its url or path.</summary>
public sealed record FetchStarted(string Source, string Kind, string Location) : FetchEvent(Source);

/// <summary>Bytes of a download so far; <paramref name="Total"/> is null when the server does not say.</summary>
public sealed record DownloadProgress(string Source, string Url, long Bytes, long? Total) : FetchEvent(Source);

/// <summary>A transient failure (connection error, 5xx) that will be retried after <paramref name="Delay"/>.</summary>
public sealed record FetchRetrying(string Source, string Url, int Attempt, TimeSpan Delay, string Reason) : FetchEvent(Source);

/// <summary>Something the user should know that does not stop the build (e.g. <c>ref_origin</c> has moved).</summary>
public sealed record FetchWarning(string Source, string Message) : FetchEvent(Source);

public sealed record FetchFinished(string Source, FetchOutcome Outcome) : FetchEvent(Source);

public sealed record FetchFailed(string Source, string Message) : FetchEvent(Source);
