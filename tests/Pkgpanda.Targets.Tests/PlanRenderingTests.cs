using System.Text.RegularExpressions;
using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

public class PlanRenderingTests
{
    private static PlanGraph Plan(string invoked = "Publish")
    {
        var graph = new TargetGraph(new OrderingBuild(), "Default");
        var plan = ExecutionPlanner.Plan(graph, [graph.Find(invoked)!]);
        return PlanGraph.From(graph, plan, PackageBuild.Tree, null);
    }

    [Fact]
    public void The_layout_puts_every_edge_downward_and_no_two_nodes_of_a_layer_overlap()
    {
        var plan = Plan();
        var edges = plan.TargetEdges.Select(e => (e.From, e.To)).ToList();
        var layout = new LayeredLayout(plan.Targets.Select(t => new LayeredLayout.Box(t.Name, 100 + t.Name.Length, 40)).ToList(), edges);
        foreach (var (from, to) in edges)
            layout.Nodes[from].Y.ShouldBeLessThan(layout.Nodes[to].Y, $"{from} -> {to}");
        layout.Wrapped.ShouldBeFalse();
        foreach (var layer in layout.Nodes.Values.GroupBy(n => n.Row))
        {
            var row = layer.OrderBy(n => n.X).ToList();
            for (var i = 1; i < row.Count; i++)
                row[i].X.ShouldBeGreaterThanOrEqualTo(row[i - 1].X + row[i - 1].Width + LayeredLayout.NodeGap - 0.01);
        }
        layout.Nodes.Values.ShouldAllBe(n => n.X >= 0 && n.X + n.Width <= layout.Width && n.Y + n.Height <= layout.Height);
        layout.Edges.Count.ShouldBe(edges.Count);
        layout.Edges.ShouldAllBe(points => points.Count >= 2);
    }

    [Fact]
    public void The_layout_handles_a_few_hundred_nodes()
    {
        var boxes = Enumerable.Range(0, 300).Select(i => new LayeredLayout.Box("n" + i, 120, 50)).ToList();
        var edges = Enumerable.Range(1, 299).SelectMany(i => new[] { ("n" + (i / 2), "n" + i), ("n" + (i / 3), "n" + i) }).Distinct().ToList();
        var layout = new LayeredLayout(boxes, edges);
        layout.Nodes.Count.ShouldBe(300);
        foreach (var (from, to) in edges) layout.Nodes[from].Layer.ShouldBeLessThan(layout.Nodes[to].Layer);
    }

    [Fact]
    public void Mermaid_declares_every_node_once_and_edges_only_between_declared_nodes()
    {
        var text = TextPlan.Mermaid(Plan());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("flowchart TB");
        var declared = lines.Select(l => Regex.Match(l, @"^\s+([tp]\d+)\[""")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        declared.Count.ShouldBe(declared.Distinct().Count());
        declared.Count.ShouldBe(new OrderingBuild().GetType().GetProperties().Count(p => p.PropertyType == typeof(Target)) + PackageBuild.Tree.Length);
        var edges = lines.Select(l => Regex.Match(l, @"^\s+([tp]\d+) (-->|-\.->|==>) ([tp]\d+)$")).Where(m => m.Success).ToList();
        edges.Count.ShouldBe(Plan().TargetEdges.Count + Plan().PackageEdges.Count());
        edges.ShouldAllBe(m => declared.Contains(m.Groups[1].Value) && declared.Contains(m.Groups[3].Value));
        edges.Select(m => m.Groups[2].Value).Distinct().ShouldBe(["-->", "-.->", "==>"], ignoreOrder: true);
        lines.Count(l => l.TrimStart().StartsWith("subgraph ")).ShouldBe(lines.Count(l => l.Trim() == "end"));
    }

    [Fact]
    public void Mermaid_labels_carry_no_markup_from_names_or_variants()
    {
        var graph = new TargetGraph(new OrderingBuild(), "Default");
        var plan = PlanGraph.From(graph, ExecutionPlanner.Plan(graph, [graph.Find("Publish")!]),
            [new PackageNode("a", "<img src=x onerror=alert(1)>", []) { Id = "a--1" }, new PackageNode("b", "x\"]; y#lt;&", []) { Id = "b--2" }], null);

        var text = TextPlan.Mermaid(plan);

        text.ShouldNotContain("<img");
        text.ShouldContain("#lt;img src=x onerror=alert(1)#gt;");
        text.ShouldContain("x#quot;]; y#35;lt;#amp;");
        text.Split('\n').Count(l => l.Contains("<br/>")).ShouldBe(2, "the label's own line break stays markup");
    }

    [Fact]
    public void Dot_draws_dependency_ordering_and_trigger_edges_in_different_styles()
    {
        var text = TextPlan.Dot(Plan());
        text.ShouldStartWith("digraph plan {");
        text.ShouldContain("style=dashed");
        text.ShouldContain("style=dotted");
        text.ShouldContain("label=\"libevent\\nfast\\ncccc · to build\"");
    }

    [Fact]
    public void The_page_is_self_contained_and_marks_the_invoked_plan()
    {
        var html = HtmlPlan.Render(Plan(), "Plan <test>");
        html.ShouldContain("<title>Plan &lt;test&gt;</title>");
        html.ShouldNotContain("<script src");
        html.ShouldNotContain("<link");
        var targets = html[html.IndexOf("<svg id=\"target-graph\"", StringComparison.Ordinal)..];
        Regex.Matches(targets[..targets.IndexOf("</svg>", StringComparison.Ordinal)], "class=\"node target[^\"]*invoked").Count.ShouldBe(1);
        Regex.Matches(html, "<g class=\"node package[^\"]*\" data-package=").Count.ShouldBe(PackageBuild.Tree.Length);
        html.ShouldContain("<g class=\"node package to-build\" data-package=\"mesos\" data-name=\"mesos\"");
        html.ShouldContain("data-package=\"libevent\" data-variant=\"fast\" data-name=\"libevent (fast)\"");
        html.ShouldContain("<g class=\"node target planned invoked\" data-target=\"Publish\"");
        html.ShouldContain("<input type=\"search\" id=\"search\"");
        html.ShouldContain("script-src 'unsafe-inline'");
    }

    [Fact]
    public void Long_layers_wrap_into_rows_so_a_wide_graph_keeps_about_the_shape_of_the_screen()
    {
        // 600 packages: 450 leaves, then 150 requiring a few leaves each: two layers, one of them 450 boxes wide.
        var boxes = Enumerable.Range(0, 600).Select(i => new LayeredLayout.Box("n" + i, 110 + i % 7 * 10, 44)).ToList();
        var edges = Enumerable.Range(450, 150).SelectMany(i => new[] { ("n" + (i - 450), "n" + i), ("n" + (i * 7 % 450), "n" + i), ("n" + (i + 1) % 600, "n" + i) })
            .Where(e => e.Item1 != e.Item2 && int.Parse(e.Item1[1..]) < 450).Distinct().ToList();
        var unwrapped = new LayeredLayout(boxes, edges);
        unwrapped.Width.ShouldBeGreaterThan(50_000);

        var layout = new LayeredLayout(boxes, edges, new LayeredLayout.Wrap(Aspect: 1.3, MinWidth: 1400));
        layout.Wrapped.ShouldBeTrue();
        (layout.Width / layout.Height).ShouldBeInRange(1.0, 1.7);
        layout.Nodes.Values.ShouldAllBe(n => n.X >= 0 && n.Y >= 0 && n.X + n.Width <= layout.Width && n.Y + n.Height <= layout.Height);
        foreach (var row in layout.Nodes.Values.GroupBy(n => n.Row))
        {
            row.Select(n => n.Layer).Distinct().Count().ShouldBe(1, "a row holds one layer");
            var ordered = row.OrderBy(n => n.X).ToList();
            for (var i = 1; i < ordered.Count; i++) ordered[i].X.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].X + ordered[i - 1].Width);
        }
        // Layers stay in order from top to bottom, so every edge still points down.
        var layers = layout.Nodes.Values.GroupBy(n => n.Layer).OrderBy(g => g.Key).ToList();
        for (var l = 1; l < layers.Count; l++)
            layers[l].Min(n => n.Y).ShouldBeGreaterThan(layers[l - 1].Max(n => n.Y + n.Height));
        layout.Edges.Count.ShouldBe(edges.Count);
        for (var i = 0; i < edges.Count; i++)
            layout.Edges[i][^1].Y.ShouldBeGreaterThan(layout.Edges[i][0].Y, edges[i].ToString());
    }

    [Fact]
    public void A_graph_narrower_than_a_screen_does_not_wrap()
    {
        var boxes = Enumerable.Range(0, 8).Select(i => new LayeredLayout.Box("n" + i, 120, 44)).ToList();
        var layout = new LayeredLayout(boxes, [("n0", "n1")], new LayeredLayout.Wrap(Aspect: 1.3, MinWidth: 1400));
        layout.Wrapped.ShouldBeFalse();
        layout.Nodes.Values.Where(n => n.Layer == 0).Select(n => n.Y).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public void Short_ids_are_the_start_of_the_version()
    {
        new PackageNode("curl", null, []) { Id = "curl--0123456789abcdef" }.ShortId.ShouldBe("0123456789ab");
        new PackageNode("curl", null, []).ShortId.ShouldBeNull();
    }
}
