using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Reporting;

/// <summary>What happened to one package in a run.</summary>
public enum PackageStatus { Built, Cached, Downloaded, Failed, Skipped, NotRun }

/// <summary>The phases a package goes through, for live progress.</summary>
public enum BuildPhase { Waiting, Fetching, Activating, Building, Packing, Done }

/// <summary>
/// The outcome of one package; <see cref="Reason"/> says why it failed or was skipped, <see cref="Engine"/> where it was
/// built, <see cref="Note"/> anything else the summary should say (it was built again after an engine was lost).
/// </summary>
public sealed record PackageResult(PackageKey Key, PackageId? Id, PackageStatus Status, TimeSpan Duration, string? Reason = null, string? LogPath = null)
{
    public string? Engine { get; init; }
    public string? Note { get; init; }
}

/// <summary>Events a build reports while it runs; the front end renders them (live view, plain lines, summary).</summary>
public abstract record BuildEvent(PackageKey Key);

/// <summary>A package entered a phase; <see cref="Engine"/> names the engine it runs on from the Building phase on.</summary>
public sealed record PhaseChanged(PackageKey Key, BuildPhase Phase, string? Engine = null) : BuildEvent(Key);

/// <summary>A line of a build's output. One longer than <see cref="PieceLength"/> characters comes in pieces of exactly that length, then the rest.</summary>
public sealed record OutputLine(PackageKey Key, string Line) : BuildEvent(Key)
{
    public const int PieceLength = 64 * 1024;
}

public sealed record Message(PackageKey Key, string Text, bool Warning = false) : BuildEvent(Key);

public sealed record PackageFinished(PackageResult Result) : BuildEvent(Result.Key);
