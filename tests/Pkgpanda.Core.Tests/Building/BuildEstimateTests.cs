using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Building;

/// <summary>The time left of a run, from the times of earlier builds, and the record of those times in the cache.</summary>
public class BuildEstimateTests
{
    private static readonly Dictionary<PackageKey, TimeSpan> None = [];

    private static PackageKey K(string name) => new(name, null);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>a and b require nothing; c requires a; d requires c: a chain a -> c -> d beside b.</summary>
    private static PackageGraph Graph(TempTree tree)
    {
        tree.Package("a").Package("b").Package("c", "{\"requires\": [\"a\"]}").Package("d", "{\"requires\": [\"c\"]}");
        return new Selection(null, null, null).Resolve(PackageStore.Load(tree.Root));
    }

    [Fact]
    public void The_longest_chain_of_requires_bounds_the_estimate_when_there_are_slots_enough()
    {
        using var tree = new TempTree();
        var estimate = new BuildEstimate(Graph(tree), new Dictionary<PackageKey, TimeSpan?> { [K("a")] = S(10), [K("b")] = S(5), [K("c")] = S(20), [K("d")] = S(30) }, parallel: 4);
        estimate.Remaining(new HashSet<PackageKey>(), None).ShouldBe(S(60));
    }

    [Fact]
    public void All_the_work_spread_over_the_slots_bounds_it_when_slots_are_few()
    {
        using var tree = new TempTree();
        var estimate = new BuildEstimate(Graph(tree), new Dictionary<PackageKey, TimeSpan?> { [K("a")] = S(40), [K("b")] = S(40), [K("c")] = S(10), [K("d")] = S(10) }, parallel: 1);
        estimate.Remaining(new HashSet<PackageKey>(), None).ShouldBe(S(100));
    }

    [Fact]
    public void Finished_packages_count_nothing_and_running_ones_only_their_rest()
    {
        using var tree = new TempTree();
        var estimate = new BuildEstimate(Graph(tree), new Dictionary<PackageKey, TimeSpan?> { [K("a")] = S(10), [K("b")] = S(5), [K("c")] = S(20), [K("d")] = S(30) }, parallel: 4);
        estimate.Remaining(new HashSet<PackageKey> { K("a"), K("b") }, new Dictionary<PackageKey, TimeSpan> { [K("c")] = S(15) }).ShouldBe(S(35));
        // Running past its last time, a package is taken as nearly done, not as finished.
        estimate.Remaining(new HashSet<PackageKey> { K("a"), K("b") }, new Dictionary<PackageKey, TimeSpan> { [K("c")] = S(50) }).ShouldBe(S(31));
    }

    [Fact]
    public void A_package_never_built_counts_as_the_median_of_the_known_and_with_none_known_there_is_no_estimate()
    {
        using var tree = new TempTree();
        var graph = Graph(tree);
        var unknown = new BuildEstimate(graph, new Dictionary<PackageKey, TimeSpan?> { [K("a")] = null, [K("b")] = null, [K("c")] = null, [K("d")] = null }, parallel: 4);
        unknown.Remaining(new HashSet<PackageKey>(), None).ShouldBeNull();
        // What this run has built so far informs the guess.
        unknown.Learn(K("b"), S(8));
        unknown.Remaining(new HashSet<PackageKey> { K("b") }, None).ShouldBe(S(24));

        // A package already in the cache (expected zero) takes no time and does not drag the median down.
        var some = new BuildEstimate(graph, new Dictionary<PackageKey, TimeSpan?> { [K("a")] = TimeSpan.Zero, [K("b")] = S(4), [K("c")] = null, [K("d")] = S(6) }, parallel: 4);
        some.Remaining(new HashSet<PackageKey>(), None).ShouldBe(S(12));
    }

    [Fact]
    public void Build_times_are_kept_per_package_and_variant_and_a_damaged_record_is_no_estimate()
    {
        using var tree = new TempTree();
        var times = new BuildTimes(new PackageCache(tree.PathOf("cache")));
        times.Read(K("mesos")).ShouldBeNull();
        times.Write(K("mesos"), S(12.3456));
        times.Write(new PackageKey("mesos", "fips"), S(3));
        times.Read(K("mesos")).ShouldBe(S(12.346));
        times.Read(new PackageKey("mesos", "fips")).ShouldBe(S(3));
        Path.GetFileName(times.PathOf(new PackageKey("mesos", "fips"))).ShouldBe("fips.build-time");
        Directory.GetFiles(Path.GetDirectoryName(times.PathOf(K("mesos")))!).Select(Path.GetFileName).ShouldBe(["build-time", "fips.build-time"], ignoreOrder: true);

        foreach (var damaged in new[] { "", "soon", "-4", "NaN", "1e400" })
        {
            File.WriteAllText(times.PathOf(K("mesos")), damaged);
            times.Read(K("mesos")).ShouldBeNull(damaged);
        }
    }
}
