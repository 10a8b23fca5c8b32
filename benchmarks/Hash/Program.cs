// Hash benchmark (issue 2): in-process time to load a generated 200-package tree, resolve its graph and compute
// every package id (image ids from the real engine). Target: under 300 ms. Prints figures; not a test.
using System.Diagnostics;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

const int Packages = 200;
const string Image = "dcos/dcos-builder:dcos-builder_dockerdir-latest";
var root = Path.Combine(Path.GetTempPath(), "pkgpanda-hash-bench-" + Guid.NewGuid().ToString("N"));
var random = new Random(42);
for (var i = 0; i < Packages; i++)
{
    var dir = Path.Combine(root, $"pkg{i:D3}");
    Directory.CreateDirectory(dir);
    // Each package requires up to 4 earlier ones, has a url source, and every fifth an extra/ folder: a DC/OS-like mix.
    var requires = Enumerable.Range(0, Math.Min(i, 4)).Select(_ => $"\"pkg{random.Next(i):D3}\"").Distinct();
    File.WriteAllText(Path.Combine(dir, "buildinfo.json"),
        $"{{\"requires\": [{string.Join(", ", requires)}], \"single_source\": {{\"kind\": \"url\", \"url\": \"https://example.com/pkg{i}.tar.gz\", \"sha1\": \"{i:x40}\"}}, " +
        $"\"environment\": {{\"PKG{i}_HOME\": \"/opt/mesosphere/active/pkg{i:D3}\"}}}}");
    File.WriteAllText(Path.Combine(dir, "build"), $"#!/bin/sh\necho building {i}\nmake -j$NUM_CORES install\n");
    if (i % 5 == 0)
        for (var f = 0; f < 10; f++)
        {
            Directory.CreateDirectory(Path.Combine(dir, "extra", "conf"));
            File.WriteAllText(Path.Combine(dir, "extra", "conf", $"file{f}.conf"), new string('x', 2000 + f));
        }
}

using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
if (await docker.TryGetImageIdAsync(Image, default) is null)
{
    Console.Error.WriteLine($"The image {Image} is missing: run ./build.sh --target Setup first.");
    return 1;
}

async Task<(double Ms, int Count)> Once()
{
    var watch = Stopwatch.StartNew();
    var store = PackageStore.Load(root);
    var graph = new Selection(null, null, null).Resolve(store);
    using var fetchers = new SourceFetchers(store.CacheDir);
    var plans = await new IdBuilder(fetchers, docker, Image).ComputeAsync(graph);
    return (watch.Elapsed.TotalMilliseconds, plans.Count);
}

var first = await Once();
var runs = new List<double>();
for (var r = 0; r < 10; r++) runs.Add((await Once()).Ms);
runs.Sort();
Console.WriteLine($"Hash of a generated {first.Count}-package tree, in process:");
Console.WriteLine($"  first (cold JIT): {first.Ms,7:0.0} ms");
Console.WriteLine($"  warm: best {runs[0]:0.0} ms, median {runs[runs.Count / 2]:0.0} ms, worst {runs[^1]:0.0} ms (10 runs)");
Console.WriteLine($"  target: under 300 ms -> {(first.Ms < 300 ? "met" : "not met")} cold, {(runs[runs.Count / 2] < 300 ? "met" : "not met")} warm");

// Reading the buildinfos strictly (line/column errors, duplicate keys at any depth) against a plain parse of the same files.
var files = Directory.GetFiles(root, "buildinfo.json", SearchOption.AllDirectories);
double Best(Action action)
{
    var best = double.MaxValue;
    for (var r = 0; r < 10; r++)
    {
        var w = Stopwatch.StartNew();
        action();
        best = Math.Min(best, w.Elapsed.TotalMilliseconds);
    }
    return best;
}
var plain = Best(() => { foreach (var f in files) System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(f)).Dispose(); });
var strict = Best(() => { foreach (var f in files) JsonFile.ReadObject(f, f); });
Console.WriteLine($"Reading {files.Length} buildinfo.json files: strict {strict:0.00} ms vs plain parse {plain:0.00} ms (ratio {strict / plain:0.00}, best of 10)");
Directory.Delete(root, recursive: true);
return 0;
