using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

/// <summary>A build that records which targets ran, in order.</summary>
public abstract class RecordingBuild : NukeBuild
{
    public List<string> Ran { get; } = [];

    protected ITargetDefinition Record(ITargetDefinition d, string name) => d.Executes(() => Ran.Add(name));
}

public sealed class OrderingBuild : RecordingBuild
{
    public Target Restore => _ => Record(_, "Restore");
    public Target Compile => _ => Record(_.DependsOn(Restore), "Compile");
    public Target Test => _ => Record(_.DependsOn(Compile).Description("Run the tests"), "Test");
    public Target Pack => _ => Record(_.DependsOn(Compile).After(Test), "Pack");
    public Target Publish => _ => Record(_.DependsOn(Pack).Triggers(Announce), "Publish");
    public Target Announce => _ => Record(_.Triggers(Cleanup).DependsOn(Notes), "Announce");
    public Target Notes => _ => Record(_, "Notes");
    public Target Cleanup => _ => Record(_.Unlisted(), "Cleanup");
    public Target Lint => _ => Record(_.DependentFor(Compile).Before(Restore), "Lint");
    public Target Sign => _ => Record(_.TriggeredBy(Pack), "Sign");
    public Target Default => _ => _.DependsOn(Test);
}

public sealed class FailingBuild : RecordingBuild
{
    public bool FailCompile, FailRestore;

    [Parameter("Where the marker file lives")] public string? Marker;

    public Target Restore => _ => _.Executes(() =>
    {
        Ran.Add("Restore");
        if (FailRestore) throw new InvalidOperationException("restore broke");
    });
    public Target Compile => _ => _.DependsOn(Restore).Executes(() =>
    {
        Ran.Add("Compile");
        if (FailCompile || Marker is not null && File.Exists(Marker)) throw new InvalidOperationException("compile broke");
    });
    public Target Docs => _ => Record(_.DependsOn(Restore).After(Compile), "Docs");
    public Target Test => _ => Record(_.DependsOn(Compile), "Test");
    public Target Report => _ => Record(_.After(Test).AssuredAfterFailure(), "Report");
    public Target Default => _ => _.DependsOn(Test, Docs, Report);
}

public sealed class ProceedingBuild : RecordingBuild
{
    public Target Flaky => _ => _.ProceedAfterFailure().Executes(() => { Ran.Add("Flaky"); throw new InvalidOperationException("flaky"); });
    public Target After => _ => Record(_.DependsOn(Flaky), "After");
    public Target Independent => _ => Record(_.After(Flaky), "Independent");
    public Target Default => _ => _.DependsOn(After, Independent);
}

public sealed class ConditionBuild : RecordingBuild
{
    public bool Ready;

    public Target Static => _ => Record(_.OnlyWhenStatic(() => Ready), "Static");
    public Target Dynamic => _ => Record(_.DependsOn(Flip).OnlyWhenDynamic(() => !Ready), "Dynamic");
    public Target Flip => _ => _.Executes(() => { Ran.Add("Flip"); Ready = true; });
    public Target Default => _ => _.DependsOn(Static, Dynamic);
}

public sealed class CycleBuild : NukeBuild
{
    public Target A => _ => _.DependsOn(B).Executes(() => { });
    public Target B => _ => _.DependsOn(C).Executes(() => { });
    public Target C => _ => _.DependsOn(A).Executes(() => { });
    public Target Default => _ => _.Executes(() => { });
}

public enum Flavour { Plain, ExtraSpicy }

public sealed class ParameterBuild : NukeBuild
{
    [Parameter("The output folder", Value = "a folder")] public string? OutputDir;
    [Parameter("How many")] public int Count = 1;
    [Parameter("Names to use")] public string[] Names = [];
    [Parameter("A flag")] public bool Fast;
    [Parameter("The flavour")] public Flavour Flavour;
    [Parameter("An api key")] public string? ApiKey;

    public Target Default => _ => _.Executes(() => { });
    public Target Publish => _ => _.Requires(() => ApiKey).Executes(() => { });
}

/// <summary>A build whose packages come from a plain list, filtered by --package as the real build filters by selection.</summary>
public sealed class PackageBuild : RecordingBuild
{
    [Parameter("Only this package and its requires")] public string? Package;

    public static readonly PackageNode[] Tree =
    [
        new("openssl", null, []) { Id = "openssl--aaaaaaaaaaaaaaaaaaaa", Cached = true },
        new("curl", null, ["openssl"]) { Id = "curl--bbbbbbbbbbbbbbbbbbbbbb", Cached = false },
        new("libevent", "fast", []) { Id = "libevent--cccc", Cached = false },
        new("mesos", null, ["curl", "libevent (fast)"]) { Id = "mesos--dddd", Cached = false },
        new("zlib", null, []),
    ];

    public bool FailIds;

    public Target Setup => _ => Record(_, "Setup");
    public Target Build => _ => Record(_.DependsOn(Setup), "Build");

    public int PackageLoads { get; private set; }
    public Target Default => _ => _.DependsOn(Setup);

    protected internal override Task<IReadOnlyList<PackageNode>> PackageNodesAsync(bool withIds, CancellationToken cancellationToken)
    {
        PackageLoads++;
        if (withIds && FailIds) throw new InvalidOperationException("no engine");
        IEnumerable<PackageNode> nodes = Tree;
        if (Package is not null)
        {
            var keep = new HashSet<string>();
            void Add(string key) { if (keep.Add(key)) foreach (var r in Tree.First(t => t.Key == key).Requires) Add(r); }
            Add(Package);
            nodes = Tree.Where(t => keep.Contains(t.Key));
        }
        return Task.FromResult<IReadOnlyList<PackageNode>>(nodes.Select(n => withIds ? n : n with { Id = null, Cached = null }).ToList());
    }
}

/// <summary>A build that writes one line at each log level, and a second target to invoke or skip.</summary>
public sealed class TalkingBuild : RecordingBuild
{
    public Target Prepare => _ => Record(_, "Prepare");
    public Target Talk => _ => _.DependsOn(Prepare).Executes(() =>
    {
        Ran.Add("Talk");
        Log.Debug("a debug line");
        Log.Information("an information line");
        Log.Warning("a warning line");
        SeenHost = Host;
    });
    public Target Default => _ => _.DependsOn(Talk);

    public HostKind? SeenHost { get; private set; }
}
