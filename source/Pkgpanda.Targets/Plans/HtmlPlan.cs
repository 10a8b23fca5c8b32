using System.Globalization;
using System.Net;
using System.Text;

namespace Pkgpanda.Targets;

/// <summary>
/// The <c>--plan</c> page: one self-contained HTML file (inline SVG, CSS and script; nothing fetched, a strict content
/// security policy) with the target graph (the invoked plan highlighted) in a side bar and the package graph of the
/// current selection filling the window. The package graph opens fitted to the window and zooms and pans (wheel, drag,
/// keys); the search box brings a package into view; clicking a node highlights what it requires (transitively) and
/// what requires it, and dims the rest. Package nodes carry <c>data-package</c>, target nodes <c>data-target</c>.
/// </summary>
internal static class HtmlPlan
{
    private const double LineHeight = 15, CharWidth = 7.2;

    /// <summary>
    /// Long layers wrap so the drawing has about the shape of the graph's pane on a 16:10 screen (the window less the
    /// side bar); at least one screen wide, so small graphs keep one row per layer.
    /// </summary>
    private static readonly LayeredLayout.Wrap PackageWrap = new(Aspect: 1.3, MinWidth: 1400);

    public static string Render(PlanGraph plan, string title)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
        html.Append($"<title>{E(title)}</title>\n<style>{Css}</style>\n</head>\n<body>\n<aside>\n");
        html.Append($"<h1>{E(title)}</h1>\n");
        var steps = plan.Targets.Where(t => t.Step is not null).OrderBy(t => t.Step).ToList();
        html.Append("<p class=\"plan\">Plan: ");
        html.Append(steps.Count == 0 ? "nothing to run" : string.Join(" → ", steps.Select(t => $"<span class=\"step{(t.Invoked ? " invoked" : "")}\">{t.Step}. {E(t.Name)}</span>")));
        html.Append("</p>\n");
        if (plan.Packages.Count > 0)
        {
            html.Append("<input type=\"search\" id=\"search\" placeholder=\"Find a package   ( / )\" autocomplete=\"off\" spellcheck=\"false\" aria-label=\"Find a package\">\n");
            html.Append("<p id=\"matches\" class=\"muted\"></p>\n");
            html.Append("<div id=\"details\" class=\"muted\">Click a node to highlight what it requires and what requires it.</div>\n");
        }
        html.Append($"<p class=\"counts\">{Counts(plan)}</p>\n");
        if (plan.PackagesNote is not null) html.Append($"<p class=\"note\">{E(plan.PackagesNote)}</p>\n");
        html.Append("<details id=\"targets\" open>\n<summary>Targets</summary>\n");
        html.Append(TargetSvg(plan));
        html.Append("</details>\n");
        html.Append(Legend);
        html.Append("</aside>\n<main id=\"packages\">\n");
        if (plan.Packages.Count > 0)
        {
            html.Append("<div class=\"tools\"><button type=\"button\" data-zoom=\"in\" title=\"Zoom in (+)\">+</button><button type=\"button\" data-zoom=\"out\" title=\"Zoom out (−)\">−</button><button type=\"button\" data-zoom=\"fit\" title=\"Fit to the window (0)\">Fit</button></div>\n");
            html.Append(PackageSvg(plan));
        }
        else html.Append("<p class=\"empty\">No packages in the current selection.</p>\n");
        html.Append($"</main>\n<script>{Script}</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Counts(PlanGraph plan)
    {
        var text = $"{plan.Packages.Count} package{(plan.Packages.Count == 1 ? "" : "s")} in the current selection";
        if (plan.Packages.Any(p => p.Cached is not null))
            text += $": {plan.Packages.Count(p => p.Cached == true)} cached, {plan.Packages.Count(p => p.Cached == false)} to build";
        return text;
    }

    private static string TargetSvg(PlanGraph plan)
    {
        var ids = plan.Targets.Select((t, i) => (t.Name, Id: "t" + i)).ToDictionary(x => x.Name, x => x.Id, StringComparer.Ordinal);
        var byName = plan.Targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var boxes = plan.Targets.Select(t => new LayeredLayout.Box(ids[t.Name], BoxWidth(Label(t), Caption(t)), 2 * LineHeight + 14)).ToList();
        return Svg("target-graph", null, boxes, plan.TargetEdges, ids, (svg, name) =>
        {
            var t = byName[name];
            var cls = "node target" + (t.Step is not null ? " planned" : "") + (t.Invoked ? " invoked" : "") + (t.Listed ? "" : " unlisted");
            svg.Append($"<g class=\"{cls}\" data-target=\"{E(t.Name)}\" data-name=\"{E(t.Name)}\"");
            return (t.Description, [Label(t), Caption(t)]);
        });
    }

    private static string PackageSvg(PlanGraph plan)
    {
        var ids = plan.Packages.Select((p, i) => (p.Key, Id: "p" + i)).ToDictionary(x => x.Key, x => x.Id, StringComparer.Ordinal);
        var byKey = plan.Packages.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var boxes = plan.Packages.Select(p => new LayeredLayout.Box(ids[p.Key], BoxWidth(p.Key, Status(p)), 2 * LineHeight + 14)).ToList();
        return Svg("package-graph", PackageWrap, boxes, plan.PackageEdges.ToList(), ids, (svg, key) =>
        {
            var p = byKey[key];
            var state = p.Cached switch { true => " cached", false => " to-build", null => " unknown" };
            svg.Append($"<g class=\"node package{state}\" data-package=\"{E(p.Name)}\"{(p.Variant is null ? "" : $" data-variant=\"{E(p.Variant)}\"")} data-name=\"{E(p.Key)}\"");
            return (p.Id ?? (p.IdError is { } why ? $"{p.Key}: no id: {why}" : p.Key), [p.Key, Status(p)]);
        });
    }

    /// <summary>
    /// One graph. With <paramref name="wrap"/> it is the zoomable one: it fills its pane and its drawing sits in a
    /// <c>g.scene</c> the script moves; otherwise it scales down to the side bar's width.
    /// </summary>
    private static string Svg(string id, LayeredLayout.Wrap? wrap, List<LayeredLayout.Box> boxes, IReadOnlyList<PlanEdge> edges, Dictionary<string, string> ids,
        Func<StringBuilder, string, (string? Tooltip, string[] Lines)> node)
    {
        var layout = new LayeredLayout(boxes, edges.Select(e => (ids[e.From], ids[e.To])).ToList(), wrap);
        var svg = new StringBuilder();
        var (w, h) = (N(layout.Width), N(layout.Height));
        svg.Append(wrap is null
            ? $"<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n"
            : $"<svg id=\"{id}\" class=\"zoomable\" xmlns=\"http://www.w3.org/2000/svg\" data-width=\"{w}\" data-height=\"{h}\">\n");
        svg.Append(Markers(id));
        svg.Append(wrap is null ? "<g class=\"scene\">\n" : $"<g class=\"scene\">\n<rect class=\"backdrop\" width=\"{w}\" height=\"{h}\"/>\n");
        svg.Append("<g class=\"edges\">\n");
        for (var i = 0; i < edges.Count; i++)
        {
            var points = layout.Edges[i];
            if (points.Count < 2) continue;
            var kind = edges[i].Kind.ToString().ToLowerInvariant();
            // Package edges go without a tooltip: always "requires", and thousands of them slow the page down.
            var tooltip = wrap is null ? $"<title>{E(edges[i].From)} {Verb(edges[i].Kind)} {E(edges[i].To)}</title>" : "";
            svg.Append($"<path class=\"edge {kind}\" data-from=\"{ids[edges[i].From]}\" data-to=\"{ids[edges[i].To]}\" marker-end=\"url(#{id}-{kind})\" d=\"{Path(points)}\">{tooltip}</path>\n");
        }
        svg.Append("</g>\n<g class=\"edges-hl\"></g>\n<g class=\"nodes\">\n");
        foreach (var (name, nodeId) in ids)
        {
            var placed = layout.Nodes[nodeId];
            var (tooltip, lines) = node(svg, name);
            svg.Append($" data-id=\"{nodeId}\" transform=\"translate({N(placed.X)},{N(placed.Y)})\">");
            if (tooltip is not null) svg.Append($"<title>{E(tooltip)}</title>");
            svg.Append($"<rect width=\"{N(placed.Width)}\" height=\"{N(placed.Height)}\" rx=\"6\"/>");
            for (var l = 0; l < lines.Length; l++)
                svg.Append($"<text x=\"{N(placed.Width / 2)}\" y=\"{N(7 + LineHeight * (l + 0.8))}\"{(l == 0 ? " class=\"title\"" : "")}>{E(lines[l])}</text>");
            svg.Append("</g>\n");
        }
        svg.Append("</g>\n</g>\n</svg>\n");
        return svg.ToString();
    }

    private static string Label(PlanTarget t) => t.Name + (t.IsDefault ? " (default)" : "");

    private static string Caption(PlanTarget t) =>
        t.Step is { } s ? $"step {s}" : "not in plan";

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

    private const string Legend = """
        <div class="legend">
        <svg viewBox="0 0 300 92" width="300" height="92" xmlns="http://www.w3.org/2000/svg">
        <g class="node target planned invoked" transform="translate(0,2)"><rect width="92" height="22" rx="6"/><text x="46" y="15">invoked</text></g>
        <g class="node target planned" transform="translate(100,2)"><rect width="92" height="22" rx="6"/><text x="46" y="15">in the plan</text></g>
        <g class="node target" transform="translate(200,2)"><rect width="92" height="22" rx="6"/><text x="46" y="15">not in plan</text></g>
        <g class="node package cached" transform="translate(0,30)"><rect width="92" height="22" rx="6"/><text x="46" y="15">cached</text></g>
        <g class="node package to-build" transform="translate(100,30)"><rect width="92" height="22" rx="6"/><text x="46" y="15">to build</text></g>
        <g class="node package unknown" transform="translate(200,30)"><rect width="92" height="22" rx="6"/><text x="46" y="15">id unknown</text></g>
        <path class="edge dependson" d="M0,66 H30"/><text class="key" x="34" y="70">DependsOn</text>
        <path class="edge after" d="M110,66 H140"/><text class="key" x="144" y="70">After / Before</text>
        <path class="edge triggers" d="M0,84 H30"/><text class="key" x="34" y="88">Triggers</text>
        <path class="edge requires" d="M110,84 H140"/><text class="key" x="144" y="88">requires (package)</text>
        </svg>
        <p class="muted">Arrows point from what runs first. Wheel or + − zoom, drag or arrow keys pan, 0 fits, / finds,
        Enter selects the next match, Esc clears.</p>
        </div>

        """;

    private static string Markers(string id) => $"""
        <defs>
        <marker id="{id}-dependson" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#37474f"/></marker>
        <marker id="{id}-after" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#90a4ae"/></marker>
        <marker id="{id}-triggers" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8e24aa"/></marker>
        <marker id="{id}-requires" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker>
        </defs>

        """;

    private const string Css = """
        html, body { height: 100%; }
        body { font: 14px system-ui, sans-serif; margin: 0; color: #263238; background: #fafafa; display: flex; overflow: hidden; }
        aside { flex: none; width: 320px; box-sizing: border-box; padding: 14px 16px; overflow-y: auto; border-right: 1px solid #cfd8dc; background: #fff; }
        main { flex: 1; position: relative; overflow: hidden; min-width: 0; }
        h1 { font-size: 16px; margin: 0 0 8px; }
        .plan .step { display: inline-block; padding: 1px 6px; margin: 1px 0; border-radius: 4px; background: #e3f2fd; }
        .plan .step.invoked { background: #1565c0; color: #fff; }
        #search { width: 100%; box-sizing: border-box; font: inherit; padding: 6px 8px; margin: 6px 0 2px; border: 1px solid #90a4ae; border-radius: 6px; }
        .note { color: #b26a00; } .muted, .counts { color: #546e7a; margin: 4px 0; } .empty { margin: 24px; color: #546e7a; }
        #details { margin: 8px 0; word-wrap: break-word; } #details b { color: #263238; } #details ul { margin: 2px 0 6px; padding-left: 18px; }
        details > summary { cursor: pointer; margin: 10px 0 4px; font-weight: 600; }
        #target-graph, .legend svg { max-width: 100%; height: auto; }
        .tools { position: absolute; top: 10px; right: 10px; z-index: 1; display: flex; gap: 4px; }
        .tools button { font: 14px system-ui, sans-serif; min-width: 32px; padding: 4px 8px; border: 1px solid #90a4ae; border-radius: 6px; background: #fff; cursor: pointer; }
        svg.zoomable { display: block; width: 100%; height: 100%; cursor: grab; touch-action: none; user-select: none; }
        svg.zoomable.dragging { cursor: grabbing; }
        .backdrop { fill: transparent; }
        svg text { font: 12px system-ui, sans-serif; text-anchor: middle; fill: #263238; pointer-events: none; }
        svg text.title { font-weight: 600; } svg text.key { text-anchor: start; }
        svg.far text { display: none; }
        .node rect { fill: #fff; stroke: #b0bec5; stroke-width: 1.5; }
        .node[data-id] { cursor: pointer; }
        .node.target.planned rect { fill: #e3f2fd; stroke: #64b5f6; }
        .node.target.invoked rect { stroke: #1565c0; stroke-width: 3; }
        .node.target.unlisted text { font-style: italic; fill: #78909c; }
        .node.package.cached rect { fill: #e8f5e9; stroke: #66bb6a; }
        .node.package.to-build rect { fill: #fff3e0; stroke: #fb8c00; }
        .node.package.unknown rect { fill: #f5f5f5; stroke: #9e9e9e; }
        .edge { fill: none; stroke-width: 1.6; }
        .edge.dependson { stroke: #37474f; }
        .edge.after { stroke: #90a4ae; stroke-dasharray: 6 4; }
        .edge.triggers { stroke: #8e24aa; stroke-dasharray: 2 3; stroke-width: 2; }
        .edge.requires { stroke: #78909c; stroke-opacity: .55; }
        .node.package.match rect { stroke: #d81b60; stroke-width: 3; }
        svg.focus .node:not(.selected):not(.required):not(.dependant), svg.focus .edges .edge { opacity: .15; }
        svg.focus .node.selected rect { stroke: #d81b60; stroke-width: 4; }
        svg.focus .node.required rect { stroke: #1565c0; stroke-width: 3; }
        svg.focus .node.dependant rect { stroke: #6a1b9a; stroke-width: 3; }
        svg.focus .edge.hl { stroke-opacity: 1; stroke-width: 2.4; }
        """;

    private const string Script = """
        'use strict';
        (() => {
        const graphs = new Map();
        // A graph as the drawing holds it: nodes by id, and per node what it requires and what requires it.
        for (const svg of document.querySelectorAll('#target-graph, #package-graph')) {
          const g = { svg, nodes: new Map(), requires: new Map(), dependants: new Map(), edges: [], marked: [], selected: null };
          for (const n of svg.querySelectorAll('.node[data-id]')) {
            g.nodes.set(n.dataset.id, n); g.requires.set(n.dataset.id, []); g.dependants.set(n.dataset.id, []);
          }
          for (const e of svg.querySelectorAll('.edge[data-from]')) {
            g.edges.push(e);
            if (!e.classList.contains('requires') && !e.classList.contains('dependson')) continue;
            g.requires.get(e.dataset.to)?.push(e.dataset.from);
            g.dependants.get(e.dataset.from)?.push(e.dataset.to);
          }
          graphs.set(svg.id, g);
        }
        const closure = (id, next) => {
          const seen = new Set(), stack = [...next.get(id)];
          while (stack.length) { const n = stack.pop(); if (!seen.has(n)) { seen.add(n); stack.push(...next.get(n)); } }
          return seen;
        };
        const details = document.getElementById('details'), hint = details?.textContent;
        const list = (title, nodes) => {
          const names = [...nodes].map(n => n.dataset.name).sort();
          const shown = names.slice(0, 60).map(n => `<li>${n.replace(/[&<>"]/g, c => '&#' + c.charCodeAt(0) + ';')}</li>`).join('');
          return `<b>${title} (${names.length})</b><ul>${shown}${names.length > 60 ? '<li>…</li>' : ''}</ul>`;
        };
        function clear(g) {
          g.svg.classList.remove('focus');
          for (const n of g.marked) n.classList.remove('selected', 'required', 'dependant');
          const layer = g.svg.querySelector('.edges');
          for (const e of g.svg.querySelectorAll('.edges-hl .edge')) { e.classList.remove('hl'); layer.appendChild(e); }
          g.marked = []; g.selected = null;
          if (details && g.svg.id === 'package-graph') details.textContent = hint;
        }
        function select(g, id) {
          clear(g);
          const required = closure(id, g.requires), dependants = closure(id, g.dependants);
          const mark = (ids, cls) => { for (const r of ids) { const n = g.nodes.get(r); n.classList.add(cls); g.marked.push(n); } };
          mark([id], 'selected'); mark(required, 'required'); mark(dependants, 'dependant');
          const layer = g.svg.querySelector('.edges-hl');
          for (const e of g.edges) {
            const f = e.dataset.from, t = e.dataset.to;
            if (!e.classList.contains('requires') && !e.classList.contains('dependson')) continue;
            if (((t === id || required.has(t)) && required.has(f)) || ((f === id || dependants.has(f)) && dependants.has(t))) {
              e.classList.add('hl'); layer.appendChild(e);
            }
          }
          g.svg.classList.add('focus'); g.selected = id;
          if (details && g.svg.id === 'package-graph') {
            const node = g.nodes.get(id), title = node.querySelector('title')?.textContent ?? '';
            details.innerHTML = `<b>${node.dataset.name.replace(/[&<>"]/g, c => '&#' + c.charCodeAt(0) + ';')}</b><br>${title.replace(/[&<>"]/g, c => '&#' + c.charCodeAt(0) + ';')}<br>` +
              list('requires, transitively', [...required].map(r => g.nodes.get(r))) + list('required by, transitively', [...dependants].map(r => g.nodes.get(r)));
          }
        }

        // Zoom and pan of the package graph: one transform on its scene, kept as scale k and offset (x, y).
        const pg = graphs.get('package-graph');
        let k = 1, x = 0, y = 0, moved = false, fitted = true;
        const scene = pg?.svg.querySelector('.scene');
        const W = +(pg?.svg.dataset.width ?? 1), H = +(pg?.svg.dataset.height ?? 1);
        const size = () => pg.svg.getBoundingClientRect();
        // Text too small to read (under 4 px) is not drawn: a 600-package drawing at fit paints in half the time.
        const apply = () => {
          scene.setAttribute('transform', `translate(${x.toFixed(1)},${y.toFixed(1)}) scale(${k.toFixed(4)})`);
          pg.svg.classList.toggle('far', k < 0.34);
        };
        // Fitted, the drawing keeps clear of the zoom buttons at the top right.
        const top = 46;
        const fitScale = () => { const r = size(); return Math.min((r.width - 24) / W, (r.height - top - 12) / H, 1); };
        function fit() { const r = size(); k = fitScale(); x = (r.width - W * k) / 2; y = top + (r.height - top - 12 - H * k) / 2; apply(); fitted = true; }
        function zoom(f, cx, cy) {
          const r = size(); if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
          const nk = Math.min(Math.max(k * f, fitScale() / 2), 6);
          x = cx - (cx - x) * nk / k; y = cy - (cy - y) * nk / k; k = nk; apply(); fitted = false;
        }
        function pan(dx, dy) { x += dx; y += dy; apply(); fitted = false; }
        // Brings a node to the middle at a readable size (its own size, or larger when zoomed in already).
        function show(node) {
          const r = size(), m = node.transform.baseVal.consolidate().matrix, rect = node.querySelector('rect');
          const w = +rect.getAttribute('width'), h = +rect.getAttribute('height');
          k = Math.min(Math.max(k, 1), 2, (r.width - 40) / w);
          x = r.width / 2 - (m.e + w / 2) * k; y = r.height / 2 - (m.f + h / 2) * k; apply(); fitted = false;
        }
        if (pg) {
          fit();
          window.addEventListener('resize', () => { if (fitted) fit(); });
          pg.svg.addEventListener('wheel', e => {
            e.preventDefault();
            const r = size();
            zoom(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002)), e.clientX - r.left, e.clientY - r.top);
          }, { passive: false });
          pg.svg.addEventListener('pointerdown', e => {
            if (e.button !== 0) return;
            const start = { px: e.clientX, py: e.clientY, x, y };
            moved = false;
            const move = ev => {
              const dx = ev.clientX - start.px, dy = ev.clientY - start.py;
              if (!moved && Math.hypot(dx, dy) < 4) return;
              moved = true; pg.svg.classList.add('dragging'); x = start.x + dx; y = start.y + dy; apply(); fitted = false;
            };
            const up = () => { window.removeEventListener('pointermove', move); window.removeEventListener('pointerup', up); pg.svg.classList.remove('dragging'); };
            window.addEventListener('pointermove', move); window.addEventListener('pointerup', up);
          });
          for (const b of document.querySelectorAll('.tools button'))
            b.addEventListener('click', () => b.dataset.zoom === 'fit' ? fit() : zoom(b.dataset.zoom === 'in' ? 1.25 : 0.8));
        }
        for (const g of graphs.values())
          g.svg.addEventListener('click', e => {
            if (g === pg && moved) return;
            const n = e.target.closest('.node[data-id]');
            if (n && n.dataset.id !== g.selected) select(g, n.dataset.id); else clear(g);
          });

        // Search: every package whose name contains the text is marked; the best (exact, then prefix) is shown.
        const input = document.getElementById('search'), out = document.getElementById('matches');
        let matches = [], current = 0;
        input?.addEventListener('input', () => {
          for (const m of matches) m.classList.remove('match');
          const q = input.value.trim().toLowerCase();
          matches = []; current = 0;
          if (!q) { out.textContent = ''; return; }
          const rank = name => name === q ? 0 : name.startsWith(q) ? 1 : name.includes(q) ? 2 : -1;
          matches = [...pg.nodes.values()].map(n => [rank(n.dataset.name.toLowerCase()), n]).filter(p => p[0] >= 0)
            .sort((a, b) => a[0] - b[0] || a[1].dataset.name.length - b[1].dataset.name.length || (a[1].dataset.name < b[1].dataset.name ? -1 : 1))
            .map(p => p[1]);
          for (const m of matches) m.classList.add('match');
          out.textContent = matches.length === 0 ? 'No package matches.' : matches.length === 1 ? '1 match; Enter selects it.' : `${matches.length} matches; Enter selects the next.`;
          if (matches.length) show(matches[0]);
        });
        input?.addEventListener('keydown', e => {
          if (e.key === 'Enter' && matches.length) {
            const n = matches[current % matches.length]; current++;
            select(pg, n.dataset.id); show(n);
          } else if (e.key === 'Escape') { input.value = ''; input.dispatchEvent(new Event('input')); input.blur(); }
        });
        document.addEventListener('keydown', e => {
          if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey || !pg) return;
          const keys = {
            '/': () => input.focus(), '+': () => zoom(1.25), '=': () => zoom(1.25), '-': () => zoom(0.8), '0': fit,
            ArrowLeft: () => pan(80, 0), ArrowRight: () => pan(-80, 0), ArrowUp: () => pan(0, 80), ArrowDown: () => pan(0, -80),
            Escape: () => { for (const g of graphs.values()) clear(g); },
          };
          if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
        });
        // A link can name a package: execution-plan.html#find=mesos shows it, #select=mesos also selects it.
        const follow = () => {
          const [verb, name] = decodeURIComponent(location.hash.slice(1)).split('=');
          if (!input || !name || (verb !== 'find' && verb !== 'select')) return;
          input.value = name; input.dispatchEvent(new Event('input'));
          if (verb === 'select' && matches.length) { select(pg, matches[0].dataset.id); show(matches[0]); }
        };
        follow();
        window.addEventListener('hashchange', follow);
        // When the page was ready and first drawn, in ms after navigation began (tests and the benchmark read them).
        document.body.dataset.ready = Math.round(performance.now());
        requestAnimationFrame(() => setTimeout(() => { document.body.dataset.painted = Math.round(performance.now()); }));
        })();
        """;

    private static string N(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
