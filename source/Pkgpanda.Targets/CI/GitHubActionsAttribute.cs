namespace Pkgpanda.Targets;

public enum GitHubActionsTrigger { Push, PullRequest, WorkflowDispatch }

/// <summary>
/// Declares a GitHub Actions workflow, <c>.github/workflows/&lt;name&gt;.yml</c>, generated from this attribute on
/// every run (as NUKE's attribute of the same name): a job running <see cref="InvokedTargets"/> and, with
/// <see cref="PackageTargets"/>, a job building the package tree <see cref="PackageTree"/> whose built packages
/// are uploaded as artifacts. The file is committed; a test fails when it is out of date.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class GitHubActionsAttribute(string name) : Attribute
{
    public string Name { get; } = name;
    public string Image { get; set; } = "ubuntu-latest";
    public GitHubActionsTrigger[] On { get; set; } = [GitHubActionsTrigger.Push, GitHubActionsTrigger.PullRequest, GitHubActionsTrigger.WorkflowDispatch];
    /// <summary>Branches whose pushes run the workflow (pull requests run it whatever their target).</summary>
    public string[] OnPushBranches { get; set; } = ["main"];
    public string[] InvokedTargets { get; set; } = [];
    /// <summary>Targets of the job that builds <see cref="PackageTree"/>; none means no such job.</summary>
    public string[] PackageTargets { get; set; } = [];
    /// <summary>The package tree that job builds (its <c>cache/</c> is cached, keyed on the tree's hash).</summary>
    public string PackageTree { get; set; } = "examples/packages";
    /// <summary>The parameter naming the package tree on the command line.</summary>
    public string PackageTreeParameter { get; set; } = "PackagesDir";
    public int TimeoutMinutes { get; set; } = 90;
    /// <summary>Debian/Ubuntu packages the jobs install first (the real parts the tests drive).</summary>
    public string[] AptPackages { get; set; } = [];
}
