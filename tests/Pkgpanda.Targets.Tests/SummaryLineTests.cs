using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class SummaryLineTests
{
    [Fact]
    public void A_first_line_that_introduces_the_lines_after_it_says_where_they_went()
    {
        SummaryLine.Of("1 package failed to build:\na: exited with code 3").ShouldBe("1 package failed to build (shown above)");
        SummaryLine.Of("Building a failed: exit 3. Last lines of the log (/c/a.log):\n  | boom", "at the end").ShouldBe("Building a failed: exit 3. Last lines of the log (/c/a.log) (at the end)");
    }

    [Fact]
    public void Other_first_lines_are_kept_as_they_are()
    {
        SummaryLine.Of("cancelled").ShouldBe("cancelled");
        SummaryLine.Of("requires b, which failed\n").ShouldBe("requires b, which failed");
        // A colon with nothing after it anywhere is the message itself, not an introduction.
        SummaryLine.Of("odd:").ShouldBe("odd:");
        SummaryLine.Of(null).ShouldBeNull();
    }
}
