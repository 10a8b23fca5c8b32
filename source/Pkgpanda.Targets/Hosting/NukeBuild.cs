namespace Pkgpanda.Targets;

/// <summary>
/// Base class of a build: targets are <see cref="Target"/> properties, parameters are [Parameter] members.
/// <c>public static int Main() => Execute&lt;Build&gt;(x => x.Default);</c>
/// </summary>
public abstract class NukeBuild
{
    /// <summary>The folder holding <c>.nuke/</c> (or <c>--root</c>).</summary>
    public string RootDirectory { get; internal set; } = Directory.GetCurrentDirectory();

    public string TemporaryDirectory => Path.Combine(RootDirectory, ".nuke", "temp");

    public Log Log { get; internal set; } = null!;

    /// <summary>Cancelled on Ctrl+C / SIGTERM.</summary>
    public CancellationToken CancellationToken { get; internal set; }

    /// <summary>True on a CI server (<c>CI</c> or <c>GITHUB_ACTIONS</c> set in the environment the host was given).</summary>
    public bool IsServerBuild { get; internal set; }

    public bool IsGitHubActions => Host == HostKind.GitHubActions;

    /// <summary><c>--host</c>, or detected from the environment.</summary>
    public HostKind Host { get; internal set; }

    /// <summary><c>--verbosity</c> (<see cref="Verbose"/> is short for <see cref="Targets.Verbosity.Verbose"/>).</summary>
    public Verbosity Verbosity { get; internal set; } = Verbosity.Normal;

    [Parameter("Show debug output (short for --verbosity verbose).")] public bool Verbose;

    /// <summary>
    /// Exceptions the output shows as a message only (a user's mistake or a fault of the environment), not with a
    /// stack trace; every other exception is reported as a bug of the tool, with its trace.
    /// </summary>
    protected internal virtual bool IsUserError(Exception exception) => false;

    /// <summary>
    /// Called when a run cancelled by Ctrl+C or SIGTERM has not ended within the grace period, just before the process
    /// exits: remove what the run has in flight (temporary files, scratch folders). Other threads may still be running.
    /// </summary>
    protected internal virtual void OnInterruptTimedOut() { }

    internal Func<string, string>? ParameterOrigin { get; set; }

    /// <summary>
    /// Where a parameter's value came from, for a message about it: ", set by the environment variable PARALLEL" (or by
    /// a parameters file) when the user did not type it on the command line; "" when they did or it is the default.
    /// </summary>
    protected string SetBy(string parameter) => ParameterOrigin?.Invoke(parameter) ?? "";

    /// <summary>Runs once parameters are bound, before planning (e.g. to add facts from the tree).</summary>
    protected internal virtual void OnBuildCreated() { }

    /// <summary>
    /// The packages of the current selection (parameters are bound when this is called), which --help and --plan show.
    /// With <paramref name="withIds"/>, also their ids and cache state (--plan asks; this may need the build
    /// engine, and the host falls back to a call without ids when it throws).
    /// </summary>
    protected internal virtual Task<IReadOnlyList<PackageNode>> PackageNodesAsync(bool withIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PackageNode>>([]);

    /// <summary>
    /// Runs the build from the command line. Default targets are given as <c>x => x.Target</c>: plain delegates, not
    /// expression trees (which cost every run their set-up); the host finds the property each one returns.
    /// </summary>
    protected static int Execute<T>(params Func<T, Target>[] defaultTargets) where T : NukeBuild, new() =>
        new BuildHost().Run(Environment.GetCommandLineArgs().Skip(1).ToArray(), defaultTargets);
}
