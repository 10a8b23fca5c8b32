namespace Pkgpanda.Targets;

/// <summary>
/// A small layered ("Sugiyama") layout of a directed acyclic graph, top to bottom: longest-path layers, virtual
/// points where an edge skips layers, barycenter sweeps against crossings, then x positions pulled toward
/// neighbours without overlapping. A layer wider than the page allows (DC/OS trees have one of ~60 packages, generated
/// ones of hundreds) is wrapped into several rows, so the whole drawing keeps about the shape of a screen.
/// No dependencies: measured on the same graphs, @dagrejs/dagre 3.1.3 (49 KB) lays layers side by side, 9,244 px wide
/// for DC/OS's 81 packages (ours: 1,725) and 58,083 px for a 600-package tree, taking 19 s (ours: 5,783 px); elkjs is
/// 1.6 MB.
/// </summary>
internal sealed class LayeredLayout
{
    public const double LayerGap = 70, NodeGap = 24, RowGap = 18, Margin = 20;

    public sealed record Box(string Id, double Width, double Height);
    /// <param name="Row">The row the node is drawn in: its layer, or one of its layer's rows when long layers wrap.</param>
    public sealed record Placed(string Id, double X, double Y, double Width, double Height, int Layer, int Row);

    /// <summary>Wrap layers so the drawing is about <paramref name="Aspect"/> times as wide as high, never narrower than <paramref name="MinWidth"/>.</summary>
    public sealed record Wrap(double Aspect, double MinWidth);

    /// <summary>Whether some layer was split into several rows.</summary>
    public bool Wrapped { get; }

    public IReadOnlyDictionary<string, Placed> Nodes { get; }
    /// <summary>Per input edge (same order): the points the edge passes, from source bottom to target top.</summary>
    public IReadOnlyList<IReadOnlyList<(double X, double Y)>> Edges { get; }
    public double Width { get; }
    public double Height { get; }

    private static void Spread(List<(string From, string To)> ordered, double width, double centre, Dictionary<(string, string), double> ports)
    {
        var span = Math.Min(width * 0.6, 14.0 * (ordered.Count - 1));
        for (var i = 0; i < ordered.Count; i++)
            ports[ordered[i]] = ordered.Count == 1 ? centre : centre - span / 2 + span * i / (ordered.Count - 1);
    }

    public LayeredLayout(IReadOnlyList<Box> boxes, IReadOnlyList<(string From, string To)> edges, Wrap? wrap = null)
    {
        var index = boxes.Select((b, i) => (b.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var n = boxes.Count;
        var valid = edges.Where(e => index.ContainsKey(e.From) && index.ContainsKey(e.To) && e.From != e.To).Distinct().ToList();

        // Layers: longest path from the sources, in a topological order (edges that would close a cycle are ignored).
        var outs = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        var indegree = new int[n];
        foreach (var (f, t) in valid) { outs[index[f]].Add(index[t]); indegree[index[t]]++; }
        var layer = new int[n];
        var queue = new Queue<int>(Enumerable.Range(0, n).Where(i => indegree[i] == 0));
        var visited = 0;
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            visited++;
            foreach (var v in outs[u])
            {
                layer[v] = Math.Max(layer[v], layer[u] + 1);
                if (--indegree[v] == 0) queue.Enqueue(v);
            }
        }
        if (visited < n) throw new InvalidOperationException("The graph to lay out has a cycle.");

        // Virtual points split long edges into one-layer segments, so crossings are counted and avoided for them too.
        var layerOf = new List<int>(layer);
        var width = boxes.Select(b => b.Width).ToList();
        var up = Enumerable.Range(0, n).Select(_ => new List<int>()).ToList();
        var down = Enumerable.Range(0, n).Select(_ => new List<int>()).ToList();
        var chains = new List<List<int>>();
        foreach (var (f, t) in valid)
        {
            var chain = new List<int> { index[f] };
            for (var l = layer[index[f]] + 1; l < layer[index[t]]; l++)
            {
                layerOf.Add(l); width.Add(2); up.Add([]); down.Add([]);
                chain.Add(layerOf.Count - 1);
            }
            chain.Add(index[t]);
            for (var i = 0; i + 1 < chain.Count; i++) { down[chain[i]].Add(chain[i + 1]); up[chain[i + 1]].Add(chain[i]); }
            chains.Add(chain);
        }
        var total = layerOf.Count;
        var layerCount = n == 0 ? 0 : layerOf.Max() + 1;
        var rows = Enumerable.Range(0, layerCount).Select(l => Enumerable.Range(0, total).Where(i => layerOf[i] == l).ToList()).ToList();

        var position = new double[total];
        void Number() { foreach (var row in rows) for (var i = 0; i < row.Count; i++) position[row[i]] = i; }
        Number();
        for (var sweep = 0; sweep < 12; sweep++)
        {
            var downward = sweep % 2 == 0;
            var sequence = downward ? Enumerable.Range(1, Math.Max(0, layerCount - 1)) : Enumerable.Range(0, Math.Max(0, layerCount - 1)).Reverse();
            foreach (var l in sequence)
            {
                var row = rows[l];
                var keyed = row.Select(v =>
                {
                    var neighbours = downward ? up[v] : down[v];
                    return (v, key: neighbours.Count == 0 ? position[v] : neighbours.Average(u => position[u]));
                }).ToList();
                // A stable sort keeps the declaration order among equals, so the picture is the same every run.
                rows[l] = keyed.OrderBy(k => k.key).Select(k => k.v).ToList();
                for (var i = 0; i < rows[l].Count; i++) position[rows[l][i]] = i;
            }
        }

        var rowHeight = Enumerable.Range(0, layerCount).Select(l => boxes.Where((_, i) => layer[i] == l).Select(b => b.Height).DefaultIfEmpty(10).Max()).ToArray();
        var top = new double[layerCount];
        for (var l = 0; l < layerCount; l++) top[l] = l == 0 ? Margin : top[l - 1] + rowHeight[l - 1] + LayerGap;
        double Y(int v) => top[layerOf[v]] + rowHeight[layerOf[v]] / 2;

        var naturalHeight = layerCount == 0 ? 2 * Margin : top[^1] + rowHeight[^1] + Margin;
        bool TooWide(double drawn) => wrap is not null && drawn > Math.Max(wrap.MinWidth, wrap.Aspect * naturalHeight);
        // Rows packed side by side are the narrowest the unwrapped drawing can be: when even that is too wide, the
        // order from the sweeps is all that wrapping needs, and the x positions below are not worth computing.
        var packedWidth = rows.Select(r => r.Sum(v => width[v]) + NodeGap * Math.Max(0, r.Count - 1)).DefaultIfEmpty(0).Max() + 2 * Margin;
        if (TooWide(packedWidth))
        {
            (Nodes, Width, Height) = WrapLayers(boxes, rows.Select(r => r.Where(v => v < n).ToList()).ToList(), layer, packedWidth, wrap!);
            Wrapped = true;
            Edges = WrappedEdges(edges, valid, Nodes);
            return;
        }

        // x: pack each row, then pull nodes toward the mean x of their neighbours, keeping order and gaps.
        var x = new double[total];
        foreach (var row in rows)
        {
            var cursor = 0.0;
            foreach (var v in row) { x[v] = cursor + width[v] / 2; cursor += width[v] + NodeGap; }
        }
        for (var iteration = 0; iteration < 16; iteration++)
        {
            var downward = iteration % 2 == 0;
            foreach (var row in downward ? rows : Enumerable.Reverse(rows))
            {
                var wanted = row.Select(v =>
                {
                    var neighbours = (downward ? up[v] : down[v]).Concat(iteration > 3 ? (downward ? down[v] : up[v]) : []).ToList();
                    return neighbours.Count == 0 ? x[v] : neighbours.Average(u => x[u]);
                }).ToArray();
                for (var i = 0; i < row.Count; i++) x[row[i]] = wanted[i];
                for (var i = 1; i < row.Count; i++)
                {
                    var min = x[row[i - 1]] + width[row[i - 1]] / 2 + NodeGap + width[row[i]] / 2;
                    if (x[row[i]] < min) x[row[i]] = min;
                }
                for (var i = row.Count - 2; i >= 0; i--)
                {
                    var max = x[row[i + 1]] - width[row[i + 1]] / 2 - NodeGap - width[row[i]] / 2;
                    if (x[row[i]] > max) x[row[i]] = max;
                }
            }
        }
        var left = total == 0 ? 0 : Enumerable.Range(0, total).Min(v => x[v] - width[v] / 2);
        for (var v = 0; v < total; v++) x[v] += Margin - left;

        var naturalWidth = total == 0 ? 2 * Margin : Enumerable.Range(0, total).Max(v => x[v] + width[v] / 2) + Margin;
        if (TooWide(naturalWidth))
        {
            var order = rows.Select(r => r.Where(v => v < n).OrderBy(v => x[v]).ToList()).ToList();
            (Nodes, Width, Height) = WrapLayers(boxes, order, layer, naturalWidth, wrap!);
            Wrapped = true;
            Edges = WrappedEdges(edges, valid, Nodes);
            return;
        }
        Nodes = boxes.Select((b, i) => new Placed(b.Id, x[i] - b.Width / 2, Y(i) - b.Height / 2, b.Width, b.Height, layer[i], layer[i]))
            .ToDictionary(p => p.Id, StringComparer.Ordinal);
        // Ports: a node's edges leave (and enter) spread along its bottom (top) edge, ordered by where they go, so
        // several arrows meeting one node stay apart.
        var chainOf = valid.Select((e, i) => (e, i)).ToDictionary(p => p.e, p => chains[p.i]);
        var outPort = new Dictionary<(string, string), double>();
        var inPort = new Dictionary<(string, string), double>();
        foreach (var group in valid.GroupBy(e => e.From))
            Spread(group.OrderBy(e => x[chainOf[e][1]]).ToList(), boxes[index[group.Key]].Width, x[index[group.Key]], outPort);
        foreach (var group in valid.GroupBy(e => e.To))
            Spread(group.OrderBy(e => x[chainOf[e][^2]]).ToList(), boxes[index[group.Key]].Width, x[index[group.Key]], inPort);
        Edges = edges.Select(e => chainOf.TryGetValue(e, out var chain)
            ? (IReadOnlyList<(double, double)>)chain.Select((v, i) =>
                i == 0 ? (outPort[e], Y(v) + boxes[v].Height / 2)
                : i == chain.Count - 1 ? (inPort[e], Y(v) - boxes[v].Height / 2)
                : (x[v], Y(v))).ToList()
            : []).ToList();
        Width = naturalWidth;
        Height = naturalHeight;
    }

    /// <summary>
    /// Splits each layer (nodes in their crossing-reduced order) into rows no wider than a width found by bisection,
    /// the smallest at which the drawing is at least <see cref="Wrap.Aspect"/> times as wide as high.
    /// </summary>
    private static (IReadOnlyDictionary<string, Placed>, double, double) WrapLayers(IReadOnlyList<Box> boxes, List<List<int>> layers, int[] layerOf,
        double naturalWidth, Wrap wrap)
    {
        List<List<List<int>>> Split(double limit) => layers.Select(layer =>
        {
            var rows = new List<List<int>> { new() };
            var used = 0.0;
            foreach (var v in layer)
            {
                if (rows[^1].Count > 0 && used + NodeGap + boxes[v].Width > limit) { rows.Add([]); used = 0; }
                used += (rows[^1].Count > 0 ? NodeGap : 0) + boxes[v].Width;
                rows[^1].Add(v);
            }
            return rows;
        }).ToList();
        double RowHeight(List<int> row) => row.Select(v => boxes[v].Height).DefaultIfEmpty(10).Max();
        double HeightOf(List<List<List<int>>> split) => 2 * Margin + LayerGap * Math.Max(0, split.Count - 1) +
            split.Sum(rows => rows.Sum(RowHeight) + RowGap * (rows.Count - 1));

        double low = boxes.Max(b => b.Width), high = naturalWidth;
        for (var i = 0; i < 40 && high - low > 1; i++)
        {
            var middle = (low + high) / 2;
            if (middle + 2 * Margin >= wrap.Aspect * HeightOf(Split(middle))) high = middle; else low = middle;
        }
        var limit = Math.Max(high, wrap.MinWidth - 2 * Margin);
        var placed = Split(limit);
        var width = placed.SelectMany(rows => rows).Select(r => r.Sum(v => boxes[v].Width) + NodeGap * Math.Max(0, r.Count - 1)).Max();
        var nodes = new Dictionary<string, Placed>(StringComparer.Ordinal);
        var y = Margin;
        var rowIndex = 0;
        foreach (var rows in placed)
        {
            foreach (var row in rows)
            {
                var height = RowHeight(row);
                var cursor = Margin + (width - (row.Sum(v => boxes[v].Width) + NodeGap * Math.Max(0, row.Count - 1))) / 2;
                foreach (var v in row)
                {
                    var b = boxes[v];
                    nodes[b.Id] = new Placed(b.Id, cursor, y + (height - b.Height) / 2, b.Width, b.Height, layerOf[v], rowIndex);
                    cursor += b.Width + NodeGap;
                }
                y += height + RowGap;
                rowIndex++;
            }
            y += LayerGap - RowGap;
        }
        return (nodes, width + 2 * Margin, y - LayerGap + Margin);
    }

    /// <summary>Wrapped rows leave no room for routed points: each edge is one curve, its ends spread along the boxes' edges.</summary>
    private static List<IReadOnlyList<(double X, double Y)>> WrappedEdges(IReadOnlyList<(string From, string To)> edges,
        List<(string From, string To)> valid, IReadOnlyDictionary<string, Placed> nodes)
    {
        double Centre(string id) => nodes[id].X + nodes[id].Width / 2;
        var outPort = new Dictionary<(string, string), double>();
        var inPort = new Dictionary<(string, string), double>();
        foreach (var group in valid.GroupBy(e => e.From))
            Spread(group.OrderBy(e => Centre(e.To)).ToList(), nodes[group.Key].Width, Centre(group.Key), outPort);
        foreach (var group in valid.GroupBy(e => e.To))
            Spread(group.OrderBy(e => Centre(e.From)).ToList(), nodes[group.Key].Width, Centre(group.Key), inPort);
        return edges.Select(e => outPort.ContainsKey(e)
            ? (IReadOnlyList<(double, double)>)[(outPort[e], nodes[e.From].Y + nodes[e.From].Height), (inPort[e], nodes[e.To].Y)]
            : []).ToList();
    }
}
