using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>--plan as a person sees it (the page in real headless Chromium) and as tools read it (Mermaid, DOT).</summary>
[Collection("docker")]
public class FrontDoorPlanTests
{
    private static readonly string[] Packages = ["boost-libs", "openssl", "curl", "libevent", "mesos"];

    /// <summary>Every target of the build, as its own --plan-format json says (the build gains targets over time).</summary>
    private static async Task<string[]> TargetsAsync(FrontDoorRoot root)
    {
        var result = await root.RunAsync("--plan", "--plan-format", "json");
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        var names = json.RootElement.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        names.ShouldContain("Build");
        names.ShouldContain("Hash");
        return names;
    }
    [Fact]
    public async Task The_plan_page_renders_in_Chromium_without_errors_and_shows_every_node()
    {
        using var root = new FrontDoorRoot();
        var targets = await TargetsAsync(root);
        var result = await root.RunAsync("Build", "--plan");
        result.ExitCode.ShouldBe(0, result.ToString());
        var page = root.PathOf(".nuke/temp/execution-plan.html");
        result.Output.ShouldContain(page);
        result.Output.ShouldNotMatch(@"Build\s+Succeeded", "--plan must not run targets");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        var problems = new List<string>();
        var requests = new List<string>();
        tab.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"{m.Type}: {m.Text}"); };
        tab.PageError += (_, e) => problems.Add("page error: " + e);
        tab.Request += (_, r) => requests.Add(r.Url);
        await tab.GotoAsync(new Uri(page).AbsoluteUri);

        foreach (var name in targets)
            (await tab.Locator($"#target-graph .node[data-target='{name}']").CountAsync()).ShouldBe(1, name);
        foreach (var name in Packages)
            (await tab.Locator($"#package-graph .node[data-package='{name}']").CountAsync()).ShouldBe(1, name);
        (await tab.Locator("#target-graph .node.invoked").CountAsync()).ShouldBe(1);
        (await tab.Locator("#target-graph .node.invoked").GetAttributeAsync("data-name")).ShouldBe("Build");
        (await tab.Locator("#package-graph .edge").CountAsync()).ShouldBe(5);

        // Clicking mesos highlights everything it requires; clicking curl, what it requires and what requires it.
        await tab.ClickAsync("#package-graph .node[data-package='mesos']");
        (await tab.Locator("#package-graph.focus").CountAsync()).ShouldBe(1);
        (await Names(tab, "required")).ShouldBe(["boost-libs", "openssl", "curl", "libevent"], ignoreOrder: true);
        (await Names(tab, "dependant")).ShouldBeEmpty();
        await tab.ClickAsync("#package-graph .node[data-package='curl']");
        (await Names(tab, "required")).ShouldBe(["openssl"]);
        (await Names(tab, "dependant")).ShouldBe(["mesos"]);
        // The targets graph selects too: Build needs Hash, Resolve and Setup.
        await tab.ClickAsync("#target-graph .node[data-target='Build']");
        (await tab.Locator("#target-graph .node.required").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.target)"))
            .ShouldBe(["Setup", "Resolve", "Hash"], ignoreOrder: true);
        await tab.Keyboard.PressAsync("Escape");
        (await tab.Locator("svg.focus").CountAsync()).ShouldBe(0);
        // A link can select a package.
        await tab.GotoAsync(new Uri(page).AbsoluteUri + "#select=curl");
        (await Names(tab, "selected")).ShouldBe(["curl"]);
        (await Names(tab, "dependant")).ShouldBe(["mesos"]);
        await tab.Keyboard.PressAsync("Escape");

        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await tab.Mouse.MoveAsync(0, 0);
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "execution-plan.png"), FullPage = true });

        problems.ShouldBeEmpty();
        requests.ShouldAllBe(url => url.StartsWith("file://"), "the page must be self-contained");
    }

    private static Task<string[]> Names(IPage tab, string cls) =>
        tab.Locator($"#package-graph .node.{cls}").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.package)");

    [Fact]
    public async Task Mermaid_output_declares_every_node_and_links_only_declared_ones()
    {
        using var root = new FrontDoorRoot();
        var targets = await TargetsAsync(root);
        var result = await root.RunAsync("Build", "--plan", "--plan-format", "mermaid");
        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].ShouldBe("flowchart TB");
        var nodes = lines.Select(l => Regex.Match(l, @"^([tp]\d+)\[""([^""]*)""\]$")).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach (var name in targets) nodes.Values.Count(v => v.StartsWith(name + " ") || v == name).ShouldBe(1, name);
        foreach (var name in Packages) nodes.Values.Count(v => v.StartsWith(name + "<br/>")).ShouldBe(1, name);
        var edges = lines.Select(l => Regex.Match(l, @"^([tp]\d+) (-->|-\.->|==>) ([tp]\d+)$")).Where(m => m.Success).ToList();
        edges.ShouldNotBeEmpty();
        edges.ShouldAllBe(m => nodes.ContainsKey(m.Groups[1].Value) && nodes.ContainsKey(m.Groups[3].Value));
        lines.Count(l => l.StartsWith("subgraph ")).ShouldBe(2);
        lines.Count(l => l == "end").ShouldBe(2);
        lines.ShouldContain(l => Regex.IsMatch(l, @"^class (t\d+,?)+ planned$"));
    }

    [Fact]
    public async Task Dot_output_is_valid_graphviz()
    {
        var dot = RequiredTool.Find("/usr/bin/dot", "graphviz");
        using var root = new FrontDoorRoot();
        var targets = await TargetsAsync(root);
        var result = await root.RunAsync("Build", "--plan", "--plan-format", "dot");
        result.ExitCode.ShouldBe(0, result.ToString());
        var psi = new ProcessStartInfo(dot, ["-Tplain"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(result.Output);
        process.StandardInput.Close();
        var plain = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, errors);
        errors.ShouldBeEmpty();
        var plainLines = plain.Split('\n');
        plainLines.Count(l => l.StartsWith("node ")).ShouldBe(targets.Length + Packages.Length);
        plainLines.Count(l => l.StartsWith("edge p")).ShouldBe(5);
    }

    [Fact]
    public async Task Json_output_lists_the_plan_and_the_package_ids()
    {
        using var root = new FrontDoorRoot();
        var result = await root.RunAsync("Hash", "--plan", "--plan-format", "json");
        result.ExitCode.ShouldBe(0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("plan").EnumerateArray().Select(e => e.GetString()).ShouldBe(["Resolve", "Setup", "Hash"]);
        var packages = json.RootElement.GetProperty("packages").EnumerateArray().ToList();
        packages.Select(p => p.GetProperty("name").GetString()).ShouldBe(Packages, ignoreOrder: true);
    }
}
