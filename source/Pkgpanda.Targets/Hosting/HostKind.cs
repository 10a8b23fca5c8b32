namespace Pkgpanda.Targets;

/// <summary>
/// NUKE's <c>--host</c>: where the build runs, which decides the flavour of the output. Detected from the
/// environment (<c>GITHUB_ACTIONS=true</c>) unless named.
/// </summary>
public enum HostKind
{
    /// <summary>Plain timestamped lines.</summary>
    Terminal,
    /// <summary>Targets folded into <c>::group::</c>s, warnings and errors as annotations.</summary>
    GitHubActions,
}
