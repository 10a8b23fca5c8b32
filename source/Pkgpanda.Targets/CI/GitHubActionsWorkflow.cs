using System.Text;

namespace Pkgpanda.Targets;

/// <summary>Renders the workflow file of a <see cref="GitHubActionsAttribute"/>: plain YAML, stable, no dependencies.</summary>
internal static class GitHubActionsWorkflow
{
    public static string RelativePath(GitHubActionsAttribute attribute) => Path.Combine(".github", "workflows", attribute.Name + ".yml");

    public static string Render(GitHubActionsAttribute a, string buildClass, TargetGraph graph)
    {
        foreach (var name in a.InvokedTargets.Concat(a.PackageTargets))
            if (graph.Find(name) is null)
                throw new TargetsException($"[GitHubActions(\"{a.Name}\")] on {buildClass} names the target {name}, which does not exist.");
        if (a.InvokedTargets.Length == 0)
            throw new TargetsException($"[GitHubActions(\"{a.Name}\")] on {buildClass} has no InvokedTargets.");

        var y = new StringBuilder();
        y.Append($"# Generated from [GitHubActions(\"{a.Name}\")] on {buildClass} by every run of the build; edit the attribute, not this file.\n");
        y.Append($"name: {a.Name}\n\n");
        y.Append("on:\n");
        foreach (var trigger in a.On.Distinct())
        {
            switch (trigger)
            {
                case GitHubActionsTrigger.Push:
                    y.Append("  push:\n");
                    if (a.OnPushBranches.Length > 0) y.Append($"    branches: [{string.Join(", ", a.OnPushBranches.Select(Quote))}]\n");
                    break;
                case GitHubActionsTrigger.PullRequest: y.Append("  pull_request:\n"); break;
                case GitHubActionsTrigger.WorkflowDispatch: y.Append("  workflow_dispatch:\n"); break;
            }
        }
        y.Append("\nenv:\n  DOTNET_CLI_TELEMETRY_OPTOUT: 1\n  DOTNET_NOLOGO: 1\n\njobs:\n");

        Job(y, a, "test", string.Join(" ", a.InvokedTargets), a.InvokedTargets, extra: null);
        if (a.PackageTargets.Length > 0)
        {
            var tree = a.PackageTree.TrimEnd('/');
            var cache = $"{tree}/cache";
            var args = a.PackageTargets.Append($"--{ParameterInfo.KebabCase(a.PackageTreeParameter)}").Append(tree).ToArray();
            Job(y, a, "packages", $"build {tree}", args, extra: () =>
            {
                y.Append("      - name: Cache built packages (keyed on the tree's hash)\n");
                y.Append("        uses: actions/cache@v4\n");
                y.Append("        with:\n");
                y.Append($"          path: {cache}\n");
                y.Append($"          key: packages-${{{{ runner.os }}}}-${{{{ hashFiles('{tree}/**', '!{cache}/**') }}}}\n");
                y.Append($"          restore-keys: packages-${{{{ runner.os }}}}-\n");
            }, upload: () =>
            {
                y.Append("      - name: Upload built packages\n");
                y.Append("        uses: actions/upload-artifact@v4\n");
                y.Append("        with:\n");
                y.Append("          name: packages\n");
                y.Append($"          path: {cache}/packages/**/*.tar.xz\n");
                y.Append("          if-no-files-found: warn\n");
            });
        }
        return y.ToString();
    }

    private static void Job(StringBuilder y, GitHubActionsAttribute a, string id, string title, IEnumerable<string> args, Action? extra, Action? upload = null)
    {
        var command = "./build.cmd " + string.Join(" ", args);
        y.Append($"  {id}:\n");
        y.Append($"    name: {Quote(title)}\n");
        y.Append($"    runs-on: {a.Image}\n");
        y.Append($"    timeout-minutes: {a.TimeoutMinutes}\n");
        y.Append("    steps:\n");
        y.Append("      - uses: actions/checkout@v4\n");
        y.Append("      - name: Cache .nuke/temp and NuGet packages\n");
        y.Append("        uses: actions/cache@v4\n");
        y.Append("        with:\n");
        y.Append("          path: |\n");
        y.Append("            .nuke/temp\n");
        y.Append("            ~/.nuget/packages\n");
        y.Append("          key: nuke-${{ runner.os }}-${{ hashFiles('global.json', '**/*.csproj', '**/Directory.Build.props') }}\n");
        if (a.AptPackages.Length > 0)
        {
            y.Append("      - name: Install system packages\n");
            y.Append($"        run: sudo apt-get update -qq && sudo apt-get install -y -qq {string.Join(" ", a.AptPackages)}\n");
        }
        extra?.Invoke();
        y.Append($"      - name: {Quote("Run " + command)}\n");
        y.Append($"        run: {command}\n");
        upload?.Invoke();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
}
