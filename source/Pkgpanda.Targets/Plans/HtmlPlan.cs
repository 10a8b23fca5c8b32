using System.Globalization;
using System.Net;
using System.Text;

namespace Pkgpanda.Targets;

/// <summary>
/// The <c>--plan</c> page: one self-contained HTML file (inline SVG, CSS and a few lines of JS; nothing fetched)
/// with the target graph (the invoked plan highlighted) and the package graph of the current selection.
/// Hovering a node highlights everything it needs.
/// </summary>
public static class HtmlPlan
{
    private const double LineHeight = 15, CharWidth = 7.2;

    public static string Render(PlanGraph plan, string title)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
        html.Append($"<title>{E(title)}</title>\n<style>{Css}</style>\n</head>\n<body>\n");
        html.Append($"<h1>{E(title)}</h1>\n");
        var steps = plan.Targets.Where(t => t.Step is not null).OrderBy(t => t.Step).ToList();
        html.Append("<p class=\"plan\">Plan: ");
        html.Append(steps.Count == 0 ? "nothing to run" : string.Join(" → ", steps.Select(t => $"<span class=\"step{(t.Invoked ? " invoked" : "")}\">{t.Step}. {E(t.Name)}</span>")));
        html.Append("</p>\n");
        html.Append(Legend());

        html.Append("<section id=\"targets\">\n<h2>Targets</h2>\n");
        html.Append(TargetSvg(plan));
        html.Append("</section>\n");

        html.Append("<section id=\"packages\">\n");
        html.Append($"<h2>Packages of the current selection ({plan.Packages.Count})</h2>\n");
        if (plan.PackagesNote is not null) html.Append($"<p class=\"note\">{E(plan.PackagesNote)}</p>\n");
        if (plan.Packages.Count > 0)
        {
            var cached = plan.Packages.Count(p => p.Cached == true);
            var toBuild = plan.Packages.Count(p => p.Cached == false);
            if (plan.Packages.Any(p => p.Cached is not null))
                html.Append($"<p class=\"counts\">{cached} cached, {toBuild} to build</p>\n");
            html.Append(PackageSvg(plan));
        }
        html.Append("</section>\n");
        html.Append($"<script>{Script}</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string TargetSvg(PlanGraph plan)
    {
        var ids = plan.Targets.Select((t, i) => (t.Name, Id: "t" + i)).ToDictionary(x => x.Name, x => x.Id, StringComparer.Ordinal);
        var boxes = plan.Targets.Select(t => new LayeredLayout.Box(ids[t.Name], BoxWidth(Label(t), Caption(t)), 2 * LineHeight + 14)).ToList();
        var needs = PlanGraph.Needs(plan.Targets.Select(t => t.Name), plan.TargetEdges);
        return Svg("target-graph", boxes, plan.TargetEdges, ids, needs, (svg, placed, name) =>
        {
            var t = plan.Targets.First(x => x.Name == name);
            var cls = "node target" + (t.Step is not null ? " planned" : "") + (t.Invoked ? " invoked" : "") + (t.Listed ? "" : " unlisted");
            svg.Append($"<g class=\"{cls}\" data-name=\"{E(t.Name)}\"");
            return (t.Description, [Label(t), Caption(t)]);
        });
    }

    private static string PackageSvg(PlanGraph plan)
    {
        var ids = plan.Packages.Select((p, i) => (p.Key, Id: "p" + i)).ToDictionary(x => x.Key, x => x.Id, StringComparer.Ordinal);
        var boxes = plan.Packages.Select(p => new LayeredLayout.Box(ids[p.Key], BoxWidth(p.Name, Variant(p), Status(p)), 3 * LineHeight + 14)).ToList();
        var edges = plan.PackageEdges.ToList();
        var needs = PlanGraph.Needs(plan.Packages.Select(p => p.Key), edges);
        return Svg("package-graph", boxes, edges, ids, needs, (svg, placed, key) =>
        {
            var p = plan.Packages.First(x => x.Key == key);
            var state = p.Cached switch { true => " cached", false => " to-build", null => " unknown" };
            svg.Append($"<g class=\"node package{state}\" data-name=\"{E(p.Key)}\"");
            return (p.Id ?? p.Key, [p.Name, Variant(p), Status(p)]);
        });
    }

    private static string Svg(string id, List<LayeredLayout.Box> boxes, IReadOnlyList<PlanEdge> edges, Dictionary<string, string> ids,
        Dictionary<string, HashSet<string>> needs, Func<StringBuilder, LayeredLayout.Placed, string, (string? Tooltip, string[] Lines)> node)
    {
        var layout = new LayeredLayout(boxes, edges.Select(e => (ids[e.From], ids[e.To])).ToList());
        var svg = new StringBuilder();
        svg.Append($"<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(layout.Width)}\" height=\"{N(layout.Height)}\" viewBox=\"0 0 {N(layout.Width)} {N(layout.Height)}\">\n");
        svg.Append(Markers);
        for (var i = 0; i < edges.Count; i++)
        {
            var points = layout.Edges[i];
            if (points.Count < 2) continue;
            var kind = edges[i].Kind.ToString().ToLowerInvariant();
            svg.Append($"<path class=\"edge {kind}\" data-from=\"{ids[edges[i].From]}\" data-to=\"{ids[edges[i].To]}\" marker-end=\"url(#arrow-{kind})\" d=\"{Path(points)}\"><title>{E(edges[i].From)} {Verb(edges[i].Kind)} {E(edges[i].To)}</title></path>\n");
        }
        foreach (var (name, nodeId) in ids)
        {
            var placed = layout.Nodes[nodeId];
            var (tooltip, lines) = node(svg, placed, name);
            var needIds = string.Join(" ", needs[name].Select(n => ids[n]).Order(StringComparer.Ordinal));
            svg.Append($" data-id=\"{nodeId}\" data-needs=\"{needIds}\" transform=\"translate({N(placed.X)},{N(placed.Y)})\">");
            if (tooltip is not null) svg.Append($"<title>{E(tooltip)}</title>");
            svg.Append($"<rect width=\"{N(placed.Width)}\" height=\"{N(placed.Height)}\" rx=\"6\"/>");
            for (var l = 0; l < lines.Length; l++)
                svg.Append($"<text x=\"{N(placed.Width / 2)}\" y=\"{N(7 + LineHeight * (l + 0.8))}\"{(l == 0 ? " class=\"title\"" : "")}>{E(lines[l])}</text>");
            svg.Append("</g>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Label(PlanTarget t) => t.Name + (t.IsDefault ? " (default)" : "");

    private static string Caption(PlanTarget t) =>
        t.Step is { } s ? $"step {s}" : "not in plan";

    private static string Variant(PackageNode p) => p.Variant ?? "<default>";

    private static string Status(PackageNode p) =>
        (p.ShortId ?? "no id") + " · " + p.Cached switch { true => "cached", false => "to build", null => "unknown" };

    private static string Verb(PlanEdgeKind kind) => kind switch
    {
        PlanEdgeKind.DependsOn => "runs before (dependency of)",
        PlanEdgeKind.After => "runs before (ordering only)",
        PlanEdgeKind.Triggers => "triggers",
        _ => "is required by",
    };

    private static double BoxWidth(params string[] lines) => Math.Max(110, lines.Max(l => l.Length) * CharWidth + 24);

    private static string Path(IReadOnlyList<(double X, double Y)> points)
    {
        var d = new StringBuilder($"M{N(points[0].X)},{N(points[0].Y)}");
        for (var i = 1; i < points.Count; i++)
        {
            var (x0, y0) = points[i - 1];
            var (x1, y1) = points[i];
            var mid = (y0 + y1) / 2;
            d.Append($" C{N(x0)},{N(mid)} {N(x1)},{N(mid)} {N(x1)},{N(y1)}");
        }
        return d.ToString();
    }

    private static string Legend() => """
        <div class="legend">
        <svg width="760" height="62" xmlns="http://www.w3.org/2000/svg">
        <g class="node target planned invoked" transform="translate(0,4)"><rect width="92" height="24" rx="6"/><text x="46" y="16">invoked</text></g>
        <g class="node target planned" transform="translate(100,4)"><rect width="92" height="24" rx="6"/><text x="46" y="16">in the plan</text></g>
        <g class="node target" transform="translate(200,4)"><rect width="92" height="24" rx="6"/><text x="46" y="16">not in plan</text></g>
        <g class="node package cached" transform="translate(300,4)"><rect width="92" height="24" rx="6"/><text x="46" y="16">cached</text></g>
        <g class="node package to-build" transform="translate(400,4)"><rect width="92" height="24" rx="6"/><text x="46" y="16">to build</text></g>
        <g class="node package unknown" transform="translate(500,4)"><rect width="92" height="24" rx="6"/><text x="46" y="16">id unknown</text></g>
        <path class="edge dependson" d="M0,46 H50"/><text class="key" x="56" y="50">DependsOn</text>
        <path class="edge after" d="M150,46 H200"/><text class="key" x="206" y="50">After / Before</text>
        <path class="edge triggers" d="M330,46 H380"/><text class="key" x="386" y="50">Triggers</text>
        <path class="edge requires" d="M470,46 H520"/><text class="key" x="526" y="50">requires (package)</text>
        </svg>
        <p>Arrows point from what runs first. Hover a node to highlight what it needs.</p>
        </div>

        """;

    private const string Markers = """
        <defs>
        <marker id="arrow-dependson" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#37474f"/></marker>
        <marker id="arrow-after" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#90a4ae"/></marker>
        <marker id="arrow-triggers" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8e24aa"/></marker>
        <marker id="arrow-requires" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker>
        </defs>

        """;

    private const string Css = """
        body { font: 14px system-ui, sans-serif; margin: 24px; color: #263238; background: #fafafa; }
        h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
        section { overflow-x: auto; }
        .plan .step { display: inline-block; padding: 1px 6px; border-radius: 4px; background: #e3f2fd; }
        .plan .step.invoked { background: #1565c0; color: #fff; }
        .note { color: #b26a00; } .legend p, .counts { color: #546e7a; margin: 4px 0; }
        svg text { font: 12px system-ui, sans-serif; text-anchor: middle; fill: #263238; }
        svg text.title { font-weight: 600; } svg text.key { text-anchor: start; }
        .node rect { fill: #fff; stroke: #b0bec5; stroke-width: 1.5; }
        .node.target.planned rect { fill: #e3f2fd; stroke: #64b5f6; }
        .node.target.invoked rect { stroke: #1565c0; stroke-width: 3; }
        .node.target.unlisted text { font-style: italic; fill: #78909c; }
        .node.package.cached rect { fill: #e8f5e9; stroke: #66bb6a; }
        .node.package.to-build rect { fill: #fff3e0; stroke: #fb8c00; }
        .node.package.unknown rect { fill: #f5f5f5; stroke: #9e9e9e; }
        .node { cursor: default; transition: opacity .15s; }
        .edge { fill: none; stroke-width: 1.6; transition: opacity .15s; }
        .edge.dependson { stroke: #37474f; }
        .edge.after { stroke: #90a4ae; stroke-dasharray: 6 4; }
        .edge.triggers { stroke: #8e24aa; stroke-dasharray: 2 3; stroke-width: 2; }
        .edge.requires { stroke: #546e7a; }
        svg.focus .node:not(.hl), svg.focus .edge:not(.hl) { opacity: .18; }
        svg.focus .node.self rect { stroke: #d81b60; stroke-width: 3; }
        """;

    private const string Script = """
        for (const node of document.querySelectorAll('svg .node[data-id]')) {
          node.addEventListener('mouseenter', () => {
            const svg = node.closest('svg');
            const keep = new Set(node.dataset.needs.split(' ').filter(Boolean));
            keep.add(node.dataset.id);
            svg.classList.add('focus');
            for (const n of svg.querySelectorAll('.node[data-id]')) {
              n.classList.toggle('hl', keep.has(n.dataset.id));
              n.classList.toggle('self', n === node);
            }
            for (const e of svg.querySelectorAll('.edge[data-from]'))
              e.classList.toggle('hl', keep.has(e.dataset.from) && keep.has(e.dataset.to));
          });
          node.addEventListener('mouseleave', () => node.closest('svg').classList.remove('focus'));
        }
        """;

    private static string N(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
