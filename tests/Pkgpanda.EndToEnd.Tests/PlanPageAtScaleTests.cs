using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// The --plan page of trees the size users have (a DC/OS-shaped one of ~80 packages, a generated one of 600) in real
/// headless Chromium at 1600x1000: it fits the window, finds a package, and highlights exactly what a package
/// requires and what requires it.
/// </summary>
[Collection("docker")]
public class PlanPageAtScaleTests(ITestOutputHelper output)
{
    private const int ScreenWidth = 1600, ScreenHeight = 1000;

    [Fact]
    public Task The_plan_page_of_a_DCOS_shaped_tree_fits_the_window_finds_mesos_and_highlights_its_closure() =>
        CheckAsync(ShapedTree.DcosShaped, "mesos", minimumFitWidth: 60);

    [Fact]
    public Task The_plan_page_of_a_600_package_tree_fits_the_window_finds_a_package_and_highlights_its_closure() =>
        CheckAsync(root => ShapedTree.Generated(root, 600), "pkg-317", minimumFitWidth: 10);

    private async Task CheckAsync(Func<string, ShapedTree> generate, string name, double minimumFitWidth)
    {
        using var folder = ExampleTree.Empty();
        var tree = generate(folder.Root);
        Directory.CreateDirectory(Path.Combine(folder.Repository, ".nuke"));
        var result = await Cli.RunAsync(["--plan", "--root", folder.Repository, "--packages-dir", folder.Root],
            environment: new Dictionary<string, string> { ["CI"] = "true" });
        result.ExitCode.ShouldBe(0, result.ToString());
        var page = Path.Combine(folder.Repository, ".nuke", "temp", "execution-plan.html");
        var bytes = new FileInfo(page).Length;
        bytes.ShouldBeLessThan(3_000_000, "the page stays small");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = ScreenWidth, Height = ScreenHeight } });
        var problems = new List<string>();
        var requests = new List<string>();
        tab.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"{m.Type}: {m.Text}"); };
        tab.PageError += (_, e) => problems.Add("page error: " + e);
        tab.Request += (_, r) => requests.Add(r.Url);

        var watch = Stopwatch.StartNew();
        await tab.GotoAsync(new Uri(page).AbsoluteUri);
        await tab.WaitForSelectorAsync("body[data-ready]");
        var loaded = watch.Elapsed;
        // From the start of navigation to the drawing fitted (the page's own clock), and paint.
        var ready = await tab.EvaluateAsync<double>("() => +document.body.dataset.ready");
        var painted = await tab.EvaluateAsync<double>("async () => { while (!document.body.dataset.painted) await new Promise(r => setTimeout(r, 10)); return +document.body.dataset.painted; }");
        var node = tab.Locator($"#package-graph [data-package='{name}']");
        double fitWidth = (await node.BoundingBoxAsync())!.Width;
        var drawing = await tab.EvaluateAsync<double[]>("() => { const s = document.getElementById('package-graph'); return [+s.dataset.width, +s.dataset.height]; }");
        output.WriteLine($"{tree.Requires.Count} packages: page {bytes / 1024} KiB, script done {ready:0} ms and painted {painted:0} ms after navigation (Playwright's load {loaded.TotalMilliseconds:0} ms), " +
                         $"drawing {drawing[0]:0}x{drawing[1]:0} px, a node {fitWidth:0.0} px wide at fit");

        (await tab.Locator("#package-graph .node[data-package]").CountAsync()).ShouldBe(tree.Requires.Count);
        (await tab.Locator("#package-graph .edge").CountAsync()).ShouldBe(tree.Requires.Values.Sum(r => r.Length));

        // At fit nothing scrolls sideways beyond 1.5 screens, and the whole drawing is inside the graph's pane.
        var widest = await tab.EvaluateAsync<double>("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollWidth || 0))");
        widest.ShouldBeLessThanOrEqualTo(1.5 * ScreenWidth);
        var pane = (await tab.Locator("main").BoundingBoxAsync())!;
        var scene = await tab.EvaluateAsync<double[]>("() => { const r = document.querySelector('#package-graph .scene').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }");
        scene[0].ShouldBeGreaterThanOrEqualTo(pane.X - 1);
        scene[1].ShouldBeGreaterThanOrEqualTo(pane.Y - 1);
        scene[2].ShouldBeLessThanOrEqualTo(pane.X + pane.Width + 1);
        scene[3].ShouldBeLessThanOrEqualTo(pane.Y + pane.Height + 1);
        fitWidth.ShouldBeGreaterThanOrEqualTo(minimumFitWidth, "the drawing keeps about the shape of the screen");

        // Typing a name brings its node fully into view at a readable size.
        await tab.FillAsync("#search", name);
        var box = (await node.BoundingBoxAsync())!;
        box.Width.ShouldBeGreaterThanOrEqualTo(30);
        box.X.ShouldBeGreaterThanOrEqualTo(pane.X);
        box.Y.ShouldBeGreaterThanOrEqualTo(pane.Y);
        (box.X + box.Width).ShouldBeLessThanOrEqualTo(pane.X + pane.Width);
        (box.Y + box.Height).ShouldBeLessThanOrEqualTo(pane.Y + pane.Height);
        (await tab.TextContentAsync("#matches"))!.ShouldContain("match");

        // Selecting it highlights exactly what it requires (transitively) and what requires it; the rest is dimmed.
        await node.ClickAsync();
        (await Packages(tab, "selected")).ShouldBe([name]);
        (await Packages(tab, "required")).ShouldBe(tree.Closure(name), ignoreOrder: true);
        (await Packages(tab, "dependant")).ShouldBe(tree.Dependants(name), ignoreOrder: true);
        tree.Closure(name).ShouldNotBeEmpty();
        tree.Dependants(name).ShouldNotBeEmpty();
        var dimmed = await tab.EvaluateAsync<double>(
            "() => getComputedStyle(document.querySelector('#package-graph .node:not(.selected):not(.required):not(.dependant)')).opacity");
        dimmed.ShouldBeLessThan(0.5);
        await Shoot(tab, $"plan-{tree.Requires.Count}-selected.png");

        // Zoom and pan: 0 fits, the wheel zooms at the pointer, a drag moves the drawing.
        await tab.Keyboard.PressAsync("0");
        ((double)(await node.BoundingBoxAsync())!.Width).ShouldBe(fitWidth, 4, "the stroke of a selected node is wider");
        await tab.Mouse.MoveAsync(pane.X + pane.Width / 2, pane.Y + pane.Height / 2);
        await tab.Mouse.WheelAsync(0, -400);
        var zoomed = (await node.BoundingBoxAsync())!;
        ((double)zoomed.Width).ShouldBeGreaterThan(fitWidth * 1.5);
        await tab.Mouse.DownAsync();
        await tab.Mouse.MoveAsync(pane.X + pane.Width / 2 + 120, pane.Y + pane.Height / 2 + 60, new MouseMoveOptions { Steps = 4 });
        await tab.Mouse.UpAsync();
        var panned = (await node.BoundingBoxAsync())!;
        panned.X.ShouldBe(zoomed.X + 120, 1);
        panned.Y.ShouldBe(zoomed.Y + 60, 1);
        (await Packages(tab, "selected")).ShouldBe([name], "a drag is not a click");
        await tab.Keyboard.PressAsync("-");
        (await node.BoundingBoxAsync())!.Width.ShouldBeLessThan(panned.Width);
        await tab.Keyboard.PressAsync("Escape");
        (await tab.Locator("#package-graph.focus").CountAsync()).ShouldBe(0);
        await tab.Keyboard.PressAsync("0");
        await Shoot(tab, $"plan-{tree.Requires.Count}-fit.png");

        problems.ShouldBeEmpty();
        requests.ShouldAllBe(url => url.StartsWith("file://"), "the page must be self-contained");
    }

    private static Task<string[]> Packages(IPage tab, string cls) =>
        tab.Locator($"#package-graph .node.{cls}").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.package)");

    private static async Task Shoot(IPage tab, string file)
    {
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, file) });
    }
}
