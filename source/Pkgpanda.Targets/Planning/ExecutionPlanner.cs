namespace Pkgpanda.Targets;

/// <summary>
/// Decides which targets run and in which order: the invoked targets, their dependencies and what they
/// trigger, ordered so every dependency, ordering and trigger relation holds. Cycles are reported with
/// their members.
/// </summary>
internal static class ExecutionPlanner
{
    /// <summary>The invoked targets plus the closure of their dependencies and triggers.</summary>
    public static HashSet<ExecutableTarget> Schedule(IEnumerable<ExecutableTarget> invoked)
    {
        var scheduled = new HashSet<ExecutableTarget>();
        var queue = new Queue<ExecutableTarget>(invoked);
        while (queue.Count > 0)
        {
            var t = queue.Dequeue();
            if (!scheduled.Add(t)) continue;
            foreach (var d in t.ExecutionDependencies) queue.Enqueue(d);
            foreach (var d in t.Triggers) queue.Enqueue(d);
        }
        return scheduled;
    }

    public static IReadOnlyList<ExecutableTarget> Plan(TargetGraph graph, IReadOnlyList<ExecutableTarget> invoked)
    {
        foreach (var t in graph.Targets) t.Invoked = false;
        foreach (var t in invoked) t.Invoked = true;
        var scheduled = Schedule(invoked);

        // Everything that must come before a target, among the scheduled ones.
        List<ExecutableTarget> Before(ExecutableTarget t) =>
            t.ExecutionDependencies
                .Concat(t.OrderDependencies.Where(scheduled.Contains))
                .Concat(graph.Targets.Where(o => scheduled.Contains(o) && o.Triggers.Contains(t)))
                .Distinct().ToList();

        var order = new List<ExecutableTarget>();
        var done = new HashSet<ExecutableTarget>();
        var path = new List<ExecutableTarget>();

        void Visit(ExecutableTarget t)
        {
            if (done.Contains(t)) return;
            var at = path.IndexOf(t);
            if (at >= 0)
                throw new TargetsException($"Circular dependency between targets: {string.Join(" -> ", path.Skip(at).Append(t))}.");
            path.Add(t);
            foreach (var b in Before(t)) Visit(b);
            path.RemoveAt(path.Count - 1);
            done.Add(t);
            order.Add(t);
        }

        // Declaration order keeps plans stable from run to run.
        foreach (var t in graph.Targets.Where(scheduled.Contains)) Visit(t);
        foreach (var t in graph.Targets) t.Status = ExecutionStatus.NotRun;
        foreach (var t in order) t.Status = ExecutionStatus.Scheduled;
        return order;
    }

    /// <summary>Checks the whole graph for cycles, so a bad declaration fails even when not invoked.</summary>
    public static void Validate(TargetGraph graph)
    {
        var state = new Dictionary<ExecutableTarget, int>();
        var path = new List<ExecutableTarget>();
        void Visit(ExecutableTarget t)
        {
            if (state.TryGetValue(t, out var s) && s == 2) return;
            if (s == 1)
            {
                var at = path.IndexOf(t);
                throw new TargetsException($"Circular dependency between targets: {string.Join(" -> ", path.Skip(at).Append(t))}.");
            }
            state[t] = 1;
            path.Add(t);
            foreach (var d in t.ExecutionDependencies.Concat(t.OrderDependencies)) Visit(d);
            foreach (var d in graph.Targets.Where(o => o.Triggers.Contains(t))) Visit(d);
            path.RemoveAt(path.Count - 1);
            state[t] = 2;
        }
        foreach (var t in graph.Targets) Visit(t);
    }
}
