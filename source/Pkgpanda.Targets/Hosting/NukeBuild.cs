using System.Linq.Expressions;

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

    public bool IsServerBuild => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } || IsGitHubActions;

    public static bool IsGitHubActions => Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true";

    [Parameter("Show debug output.")] public bool Verbose;

    /// <summary>Exceptions the output shows as a message only (user mistakes), not with a stack trace.</summary>
    protected internal virtual bool IsUserError(Exception exception) => false;

    /// <summary>Runs once parameters are bound, before planning (e.g. to add facts from the tree).</summary>
    protected internal virtual void OnBuildCreated() { }

    protected static int Execute<T>(params Expression<Func<T, Target>>[] defaultTargets) where T : NukeBuild, new() =>
        new BuildHost().Run<T>(Environment.GetCommandLineArgs().Skip(1).ToArray(), defaultTargets.Select(Name).ToArray());

    private static string Name<T>(Expression<Func<T, Target>> e) =>
        e.Body is MemberExpression m ? m.Member.Name : throw new ArgumentException("Default targets are given as x => x.Target.");
}
