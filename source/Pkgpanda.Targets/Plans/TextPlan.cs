using System.Text;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>The same graphs as the plan page, as text: Mermaid, Graphviz DOT or JSON (<c>--plan-format</c>).</summary>
internal static class TextPlan
{
    public static readonly string[] Formats = ["html", "mermaid", "dot", "json"];

    public static string Render(PlanGraph plan, string format) => format switch
    {
        "mermaid" => Mermaid(plan),
        "dot" => Dot(plan),
        "json" => Json(plan),
        _ => throw new TargetsException($"--plan-format {format}: use one of {string.Join(", ", Formats)}."),
    };

    public static string Mermaid(PlanGraph plan)
    {
        var (targetIds, packageIds) = Ids(plan);
        var m = new StringBuilder("flowchart TB\n");
        m.Append("  subgraph targets [Targets]\n");
        foreach (var t in plan.Targets)
            m.Append($"    {targetIds[t.Name]}[\"{MermaidText(t.Name + (t.IsDefault ? " (default)" : "") + (t.Step is { } s ? $" · step {s}" : ""))}\"]\n");
        m.Append("  end\n");
        if (plan.Packages.Count > 0)
        {
            m.Append("  subgraph packages [Packages]\n");
            foreach (var p in plan.Packages)
                m.Append($"    {packageIds[p.Key]}[\"{MermaidText(p.Name)}<br/>{(p.Variant is null ? "#lt;default#gt;" : MermaidText(p.Variant))} · {MermaidText($"{p.ShortId ?? "no id"} · {CacheText(p)}")}\"]\n");
            m.Append("  end\n");
        }
        foreach (var e in plan.TargetEdges)
            m.Append($"  {targetIds[e.From]} {e.Kind switch { PlanEdgeKind.After => "-.->", PlanEdgeKind.Triggers => "==>", _ => "-->" }} {targetIds[e.To]}\n");
        foreach (var e in plan.PackageEdges)
            m.Append($"  {packageIds[e.From]} --> {packageIds[e.To]}\n");
        m.Append("  classDef invoked stroke:#1565c0,stroke-width:3px\n");
        m.Append("  classDef planned fill:#e3f2fd\n");
        m.Append("  classDef cached fill:#e8f5e9\n");
        m.Append("  classDef tobuild fill:#fff3e0\n");
        AppendClass(m, "planned", plan.Targets.Where(t => t.Step is not null).Select(t => targetIds[t.Name]));
        AppendClass(m, "invoked", plan.Targets.Where(t => t.Invoked).Select(t => targetIds[t.Name]));
        AppendClass(m, "cached", plan.Packages.Where(p => p.Cached == true).Select(p => packageIds[p.Key]));
        AppendClass(m, "tobuild", plan.Packages.Where(p => p.Cached == false).Select(p => packageIds[p.Key]));
        return m.ToString();
    }

    public static string Dot(PlanGraph plan)
    {
        var (targetIds, packageIds) = Ids(plan);
        var d = new StringBuilder("digraph plan {\n");
        d.Append("  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"sans-serif\"];\n");
        d.Append("  subgraph cluster_targets {\n    label=\"Targets\";\n");
        foreach (var t in plan.Targets)
        {
            var attributes = $"label={Q(t.Name + (t.IsDefault ? " (default)" : "") + "\n" + (t.Step is { } s ? $"step {s}" : "not in plan"))}";
            if (t.Step is not null) attributes += ", fillcolor=\"#e3f2fd\"";
            if (t.Invoked) attributes += ", penwidth=3, color=\"#1565c0\"";
            d.Append($"    {targetIds[t.Name]} [{attributes}];\n");
        }
        d.Append("  }\n");
        if (plan.Packages.Count > 0)
        {
            d.Append("  subgraph cluster_packages {\n    label=\"Packages\";\n");
            foreach (var p in plan.Packages)
            {
                var fill = p.Cached switch { true => "#e8f5e9", false => "#fff3e0", null => "#f5f5f5" };
                d.Append($"    {packageIds[p.Key]} [label={Q($"{p.Name}\n{p.Variant ?? "<default>"}\n{p.ShortId ?? "no id"} · {CacheText(p)}")}, fillcolor=\"{fill}\"];\n");
            }
            d.Append("  }\n");
        }
        foreach (var e in plan.TargetEdges)
        {
            var style = e.Kind switch { PlanEdgeKind.After => "style=dashed, color=\"#90a4ae\"", PlanEdgeKind.Triggers => "style=dotted, color=\"#8e24aa\", penwidth=2", _ => "style=solid" };
            d.Append($"  {targetIds[e.From]} -> {targetIds[e.To]} [{style}];\n");
        }
        foreach (var e in plan.PackageEdges)
            d.Append($"  {packageIds[e.From]} -> {packageIds[e.To]};\n");
        d.Append("}\n");
        return d.ToString();
    }

    public static string Json(PlanGraph plan)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("plan");
            foreach (var t in plan.Targets.Where(t => t.Step is not null).OrderBy(t => t.Step)) json.WriteStringValue(t.Name);
            json.WriteEndArray();
            json.WriteStartArray("targets");
            foreach (var t in plan.Targets)
            {
                json.WriteStartObject();
                json.WriteString("name", t.Name);
                json.WriteString("description", t.Description);
                json.WriteBoolean("default", t.IsDefault);
                json.WriteBoolean("listed", t.Listed);
                json.WriteBoolean("invoked", t.Invoked);
                if (t.Step is { } s) json.WriteNumber("step", s); else json.WriteNull("step");
                foreach (var kind in new[] { PlanEdgeKind.DependsOn, PlanEdgeKind.After })
                {
                    json.WriteStartArray(kind == PlanEdgeKind.DependsOn ? "dependsOn" : "after");
                    foreach (var e in plan.TargetEdges.Where(e => e.Kind == kind && e.To == t.Name)) json.WriteStringValue(e.From);
                    json.WriteEndArray();
                }
                json.WriteStartArray("triggers");
                foreach (var e in plan.TargetEdges.Where(e => e.Kind == PlanEdgeKind.Triggers && e.From == t.Name)) json.WriteStringValue(e.To);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("packages");
            foreach (var p in plan.Packages)
            {
                json.WriteStartObject();
                json.WriteString("key", p.Key);
                json.WriteString("name", p.Name);
                json.WriteString("variant", p.Variant);
                json.WriteString("id", p.Id);
                if (p.IdError is not null) json.WriteString("idError", p.IdError);
                if (p.Cached is { } c) json.WriteBoolean("cached", c); else json.WriteNull("cached");
                json.WriteStartArray("requires");
                foreach (var r in p.Requires) json.WriteStringValue(r);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (plan.PackagesNote is not null) json.WriteString("packagesNote", plan.PackagesNote);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static (Dictionary<string, string> Targets, Dictionary<string, string> Packages) Ids(PlanGraph plan) =>
        (plan.Targets.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => "t" + x.i, StringComparer.Ordinal),
         plan.Packages.Select((p, i) => (p.Key, i)).ToDictionary(x => x.Key, x => "p" + x.i, StringComparer.Ordinal));

    private static void AppendClass(StringBuilder m, string name, IEnumerable<string> ids)
    {
        var list = ids.ToList();
        if (list.Count > 0) m.Append($"  class {string.Join(",", list)} {name}\n");
    }

    private static string CacheText(PackageNode p) => p.Cached switch { true => "cached", false => "to build", null => "unknown" };

    /// <summary>Mermaid labels are quoted; quotes inside become its entity.</summary>
    /// <summary>Text in a Mermaid label, where markup is read: every character that could start any is an entity code.</summary>
    private static string MermaidText(string s) =>
        s.Replace("#", "#35;").Replace("&", "#amp;").Replace("<", "#lt;").Replace(">", "#gt;").Replace("\"", "#quot;");

    /// <summary>A DOT string: quoted, with backslashes and quotes escaped and newlines as \n.</summary>
    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
