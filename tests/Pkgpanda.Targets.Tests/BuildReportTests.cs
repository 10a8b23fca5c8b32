using Pkgpanda.Core;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Targets.Components;
using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

/// <summary>The table after a build: a failure's long message is cut in its row and given whole, once, in the error after it.</summary>
public class BuildReportTests
{
    [Fact]
    public void A_long_failure_is_cut_in_the_table_and_whole_in_the_error()
    {
        var reason = "packages/a/buildinfo.json: \"single_source\".\"url\" = \"http://127.0.0.1:1/x.tar.gz\": download failed after 5 attempts: Connection refused (127.0.0.1:1)";
        var summary = new BuildSummary([
            new PackageResult(new PackageKey("a", null), null, PackageStatus.Failed, TimeSpan.FromSeconds(15), reason),
            new PackageResult(new PackageKey("b", null), null, PackageStatus.Failed, TimeSpan.FromSeconds(1), "exited with code 2"),
        ]);
        var output = new LinesOutput();

        var error = Should.Throw<BuildError>(() => new Reports(new Log(output)).Built(summary, new Log(output), CancellationToken.None));

        var row = output.Lines.Single(l => l.StartsWith("a ", StringComparison.Ordinal));
        row.ShouldEndWith(" ... (in full below)");
        row.ShouldNotContain("Connection refused");
        output.Lines.Single(l => l.StartsWith("b ", StringComparison.Ordinal)).ShouldEndWith("exited with code 2", Case.Sensitive, "a short message is whole");
        error.Message.ShouldContain($"a: {reason}");
        error.Message.ShouldContain("b: exited with code 2");
    }
}
