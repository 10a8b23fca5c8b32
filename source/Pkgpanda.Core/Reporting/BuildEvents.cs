using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Reporting;

/// <summary>What happened to one package in a run.</summary>
public enum PackageStatus { Built, Cached, Downloaded, Failed, Skipped, NotRun }

/// <summary>The phases a package goes through, for live progress.</summary>
public enum BuildPhase { Waiting, Fetching, Activating, Building, Packing, Done }

/// <summary>The outcome of one package; <see cref="Reason"/> says why it failed or was skipped.</summary>
public sealed record PackageResult(PackageKey Key, PackageId? Id, PackageStatus Status, TimeSpan Duration, string? Reason = null, string? LogPath = null);

/// <summary>Events a build reports while it runs; the front end renders them (live view, plain lines, summary).</summary>
public abstract record BuildEvent(PackageKey Key);

public sealed record PhaseChanged(PackageKey Key, BuildPhase Phase) : BuildEvent(Key);

public sealed record OutputLine(PackageKey Key, string Line) : BuildEvent(Key);

public sealed record Message(PackageKey Key, string Text, bool Warning = false) : BuildEvent(Key);

public sealed record PackageFinished(PackageResult Result) : BuildEvent(Result.Key);
