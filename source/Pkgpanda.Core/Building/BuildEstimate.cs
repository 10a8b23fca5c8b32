using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Building;

/// <summary>
/// How long the rest of a run will take, from what each package took before (<see cref="Packaging.BuildTimes"/>): the
/// longer of the longest chain of requires still to build and all the remaining work spread over the parallel slots.
/// A package never built before counts as the median of the known ones; with none known there is no estimate.
/// </summary>
public sealed class BuildEstimate(PackageGraph graph, IReadOnlyDictionary<PackageKey, TimeSpan?> expected, int parallel)
{
    private readonly Dictionary<PackageKey, TimeSpan?> _expected = new(expected);

    /// <summary>A package finished in this run: its time informs the guess for packages never built before.</summary>
    public void Learn(PackageKey key, TimeSpan took)
    {
        if (took > TimeSpan.Zero) _expected[key] = took;
    }

    /// <param name="done">Packages finished in this run (whatever their outcome).</param>
    /// <param name="running">Packages being built, with how long they have run.</param>
    public TimeSpan? Remaining(IReadOnlySet<PackageKey> done, IReadOnlyDictionary<PackageKey, TimeSpan> running)
    {
        // Plain loops: this runs at the start of every run, a no-op's too, where LINQ's generic code is compiled first.
        var known = new List<double>();
        foreach (var v in _expected.Values)
            if (v is { } t && t > TimeSpan.Zero) known.Add(t.TotalSeconds);
        known.Sort();
        double? typical = known.Count == 0 ? null : known[known.Count / 2];
        var finish = new Dictionary<PackageKey, double>();
        double work = 0, chain = 0;
        foreach (var key in graph.Order)
        {
            if (done.Contains(key)) { finish[key] = 0; continue; }
            // Zero: already in the cache (the caller knows), so it finishes at once.
            var seconds = _expected.GetValueOrDefault(key) is { } e ? e.TotalSeconds : typical;
            if (seconds is null) return null;
            double start = 0, left = seconds.Value;
            // One that runs over its last time is assumed nearly done rather than finished.
            if (running.TryGetValue(key, out var elapsed)) left = Math.Max(left - elapsed.TotalSeconds, Math.Min(left, 1));
            else
                foreach (var require in graph.RequiresOf(key))
                    start = Math.Max(start, finish.GetValueOrDefault(require));
            finish[key] = start + left;
            chain = Math.Max(chain, start + left);
            work += left;
        }
        return TimeSpan.FromSeconds(Math.Max(chain, work / Math.Max(1, parallel)));
    }
}
