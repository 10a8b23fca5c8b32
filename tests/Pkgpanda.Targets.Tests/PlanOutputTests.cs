using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class PlanOutputTests
{
    [Fact]
    public void The_plan_page_is_opened_in_a_browser_only_for_a_person_at_a_desktop()
    {
        var desktop = new Dictionary<string, string> { ["DISPLAY"] = ":0", ["WAYLAND_DISPLAY"] = "wayland-0" };
        PlanOutput.CanOpenBrowser(new Dictionary<string, string>(desktop) { ["CI"] = "true" }).ShouldBeFalse("CI only writes the page");
        PlanOutput.CanOpenBrowser(new Dictionary<string, string>(desktop) { ["GITHUB_ACTIONS"] = "true" }).ShouldBeFalse("CI only writes the page");
        // The test runner reads this process's output through a pipe, as a script calling --plan would.
        Console.IsOutputRedirected.ShouldBeTrue();
        PlanOutput.CanOpenBrowser(desktop).ShouldBeFalse("output to a pipe means no one is watching a terminal");
    }
}
