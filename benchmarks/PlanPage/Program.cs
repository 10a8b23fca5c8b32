// Plan page benchmark (issue 13): how long the --plan page of a 600-package tree takes to render (C#) and to load in
// headless Chromium at 1600x1000 (until its script has fitted the drawing, and until the next paint), against the
// 5-package page measured in the same run. Target: well under a second to load. Prints figures; not a test.
using System.Diagnostics;
using Microsoft.Playwright;
using Pkgpanda.Targets;

PlanGraph Graph(int count)
{
    // A quarter leaves; the others require one to five earlier packages, mostly recent ones, some of a few hubs.
    var random = new Random(600);
    var packages = new List<PackageNode>();
    for (var i = 0; i < count; i++)
    {
        var requires = new HashSet<string>();
        if (i >= Math.Max(1, count / 4))
            for (var want = 1 + random.Next(5); requires.Count < Math.Min(want, i);)
                requires.Add($"pkg-{Math.Min(random.Next(10) switch { 0 => random.Next(5) * (count / 10), < 5 => Math.Max(0, i - 1 - random.Next(Math.Min(i, 40))), _ => random.Next(i) }, i - 1):D3}");
        packages.Add(new PackageNode($"pkg-{i:D3}", null, [.. requires]) { Id = $"pkg-{i:D3}--{i:x40}", Cached = i % 3 == 0 });
    }
    PlanTarget T(string name, int? step) => new(name, null, name == "Hash", true, name == "Build", step);
    return new PlanGraph([T("Setup", 1), T("Resolve", 2), T("Hash", 3), T("Build", 4), T("Pack", null)],
        [new("Setup", "Hash", PlanEdgeKind.DependsOn), new("Resolve", "Hash", PlanEdgeKind.DependsOn), new("Hash", "Build", PlanEdgeKind.DependsOn), new("Build", "Pack", PlanEdgeKind.DependsOn)],
        packages, null);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

var folder = Path.Combine(Path.GetTempPath(), "pkgpanda-plan-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
try
{
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium", Headless = true,
        Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    // With file names: only load those pages (to compare variants of the page by hand).
    foreach (var file in args)
    {
        var ready = new List<double>();
        var painted = new List<double>();
        for (var i = 0; i < 11; i++)
        {
            var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
            await tab.GotoAsync(new Uri(Path.GetFullPath(file)).AbsoluteUri);
            await tab.WaitForSelectorAsync("body[data-ready]");
            ready.Add(await tab.EvaluateAsync<double>("() => +document.body.dataset.ready"));
            painted.Add(await tab.EvaluateAsync<double>("async () => { while (!document.body.dataset.painted) await new Promise(r => setTimeout(r, 10)); return +document.body.dataset.painted; }"));
            await tab.CloseAsync();
        }
        Console.WriteLine($"{file}: script done {Median(ready):0} ms, painted {Median(painted):0} ms after navigation (medians of 11)");
    }
    if (args.Length > 0) return;
    var results = new Dictionary<int, (double Render, double Ready, double Painted, long Bytes)>();
    foreach (var count in new[] { 5, 600, 5, 600 })
    {
        var graph = Graph(count);
        var renders = new List<double>();
        string html = "";
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            html = HtmlPlan.Render(graph, $"{count} packages");
            renders.Add(watch.Elapsed.TotalMilliseconds);
        }
        var path = Path.Combine(folder, $"plan-{count}.html");
        File.WriteAllText(path, html);
        var ready = new List<double>();
        var painted = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
            await tab.GotoAsync(new Uri(path).AbsoluteUri);
            await tab.WaitForSelectorAsync("body[data-ready]");
            ready.Add(await tab.EvaluateAsync<double>("() => +document.body.dataset.ready"));
            painted.Add(await tab.EvaluateAsync<double>("async () => { while (!document.body.dataset.painted) await new Promise(r => setTimeout(r, 10)); return +document.body.dataset.painted; }"));
            await tab.CloseAsync();
        }
        // The second round of each size is the one reported: the first warms the JIT and the browser.
        results[count] = (Median(renders), Median(ready), Median(painted), new FileInfo(path).Length);
    }
    foreach (var (count, r) in results)
        Console.WriteLine($"{count,4} packages: page {r.Bytes / 1024,5} KiB, render {r.Render,6:0.0} ms, script done {r.Ready,5:0} ms, painted {r.Painted,5:0} ms after navigation (medians of 5)");
    Console.WriteLine($"600 vs 5 packages: load x{results[600].Painted / results[5].Painted:0.00}, render x{results[600].Render / results[5].Render:0.0}; target: loaded well under 1000 ms");
}
finally
{
    Directory.Delete(folder, recursive: true);
}
