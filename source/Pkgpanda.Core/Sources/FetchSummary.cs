namespace Pkgpanda.Core.Sources;

/// <summary>
/// One fetched source. <see cref="Users"/> lists every <c>package/source</c> that declares it (fetched once for all).
/// <see cref="Outcome"/> is null when it failed; then <see cref="Error"/> says why.
/// </summary>
public sealed record SourceFetchResult(
    string Source, string Kind, IReadOnlyList<string> Users, FetchOutcome? Outcome, string? Error, IReadOnlyList<string> Warnings)
{
    public bool Failed => Error is not null;
}

/// <summary>What a Fetch did, source by source, in build order.</summary>
public sealed record FetchSummary(IReadOnlyList<SourceFetchResult> Sources)
{
    public bool Failed => Sources.Any(s => s.Failed);

    public int Count(FetchOutcome outcome) => Sources.Count(s => s.Outcome == outcome);

    /// <summary>Every failure in one message, for a target that has to stop the run.</summary>
    public BuildError ToError() =>
        new($"{Sources.Count(s => s.Failed)} source(s) could not be fetched:\n" +
            string.Join("\n", Sources.Where(s => s.Failed).Select(s => $"  {s.Source}: {s.Error}")));
}
