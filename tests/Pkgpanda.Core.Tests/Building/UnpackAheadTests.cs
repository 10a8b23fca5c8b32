using System.Collections.Concurrent;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Building;

public class UnpackAheadTests
{
    /// <summary>At the end of each step, lists what the install roots of the steps prepared so far hold.</summary>
    private sealed class InstallWatch(IRunner inner) : IRunner
    {
        private readonly ConcurrentDictionary<string, string> _installs = new();
        public ConcurrentDictionary<string, string[]> SeenAtEnd { get; } = new();

        public string Address => inner.Address;

        public async Task<IPreparedStep> PrepareAsync(BuildStep step, CancellationToken cancellationToken)
        {
            var name = step.Name.Split("--")[0];
            _installs[name] = step.Inputs.Single(i => i.ContainerPath == PackageBuilder.InstallRoot).HostPath;
            return new Watched(await inner.PrepareAsync(step, cancellationToken), () =>
                SeenAtEnd[name] = _installs.Where(i => i.Key != name).SelectMany(i => Directory.Exists(Path.Combine(i.Value, "packages"))
                    ? Directory.GetDirectories(Path.Combine(i.Value, "packages")).Select(p => $"{i.Key}: {Path.GetFileName(p).Split("--")[0]}")
                    : []).Order().ToArray());
        }

        private sealed class Watched(IPreparedStep inner, Action ended) : IPreparedStep
        {
            public Task CompleteInputsAsync(CancellationToken cancellationToken) => inner.CompleteInputsAsync(cancellationToken);

            public async Task<long> RunAsync(IProgress<string> output, CancellationToken cancellationToken)
            {
                var exit = await inner.RunAsync(output, cancellationToken);
                ended();
                return exit;
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }

        public Task<long> RunAsync(BuildStep step, IProgress<string> output, CancellationToken cancellationToken) => inner.RunAsync(step, output, cancellationToken);

        public Task FlushAsync() => inner.FlushAsync();

        public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken) => inner.RemoveAbandonedAsync(cancellationToken);
    }

    private sealed class NoEvents : IProgress<BuildEvent>
    {
        public void Report(BuildEvent value) { }
    }

    [DockerFact]
    public async Task The_requires_built_early_are_unpacked_while_the_last_one_still_builds_and_the_result_is_the_same()
    {
        const string quick = "#!/bin/sh\nmkdir -p $PKG_PATH/lib\necho $PKG_ID > $PKG_PATH/lib/$PKG_NAME.id\n";
        const string user = "#!/bin/sh\nset -e\nmkdir -p $PKG_PATH/lib\ncat /opt/mesosphere/lib/quick.id /opt/mesosphere/lib/slow.id > $PKG_PATH/lib/seen\n";
        using var tree = new TempTree().Package("quick", script: quick).Package("slow", script: quick.Replace("mkdir", "sleep 3\nmkdir"))
            .Package("user", "{\"requires\": [\"quick\", \"slow\"]}", script: user);
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var watch = new InstallWatch(docker);
        var store = PackageStore.Load(tree.Root);
        var graph = new Selection(null, null, null).Resolve(store);
        using var fetchers = new SourceFetchers(store.CacheDir);
        var plans = await new IdBuilder(fetchers, docker, Engine.Image).ComputeAsync(graph);
        var cache = new PackageCache(store.CacheDir);
        var context = new BuildContext { Cache = cache, Engines = new EnginePool([new PoolEngine(watch, docker, 4)]), Sources = new SourceFetchService(fetchers), Events = new NoEvents() };

        var summary = await TreeBuild.RunAsync(graph, plans, context, new SchedulerOptions(4), CancellationToken.None);

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Key} {r.Status} {r.Reason}")));
        // When slow's step ended, user's install root held quick already (user's own folder is its result's mount point).
        watch.SeenAtEnd["slow"].ShouldBe(["user: quick", "user: user"]);
        var userId = plans.Values.Single(p => p.Id.Name == "user").Id;
        using (var tmp = new TempTree())
        {
            await Unpacker.UnpackAsync(cache.PackagePath(userId), Path.Combine(tmp.Root, "user"));
            File.ReadAllText(Path.Combine(tmp.Root, "user", "lib", "seen")).ShouldBe(string.Join("",
                new[] { "quick", "slow" }.Select(n => plans.Values.Single(p => p.Id.Name == n).Id + "\n")), "activation gave both requires");
        }
    }
}
