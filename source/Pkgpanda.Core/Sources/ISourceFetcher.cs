using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Sources;

/// <summary>One source of a package: its checkout id (no network) and how to place it in a build's src folder.</summary>
public interface ISourceFetcher
{
    SourceSpec Spec { get; }

    /// <summary>The id that goes into build_ids (e.g. <c>{"commit": ...}</c>); computed without network.</summary>
    IReadOnlyDictionary<string, object?> GetId();

    /// <summary>Places the source in <paramref name="directory"/> (which exists and is empty).</summary>
    Task<FetchOutcome> CheckoutAsync(string directory, CancellationToken cancellationToken);
}

/// <summary>What a fetch did, for the summary.</summary>
public enum FetchOutcome { Downloaded, Reused, Local }
