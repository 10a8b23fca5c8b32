// The cost of calling a cached package up to date: the record check (stat + compare, what every no-op build does for
// every package) against the old File.Exists baseline, measured in the same run on the same tarballs; and the cost of the
// re-hash that a changed size or time triggers. Prints figures and ratios; not a test.
using System.Diagnostics;
using System.Security.Cryptography;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

var count = args.Length > 0 ? int.Parse(args[0]) : 600;
var sizeKb = args.Length > 1 ? int.Parse(args[1]) : 512;
var root = Path.Combine(Path.GetTempPath(), "pkgpanda-bench-cache-" + Guid.NewGuid().ToString("N"));
try
{
    var cache = new PackageCache(Path.Combine(root, "cache"));
    var ids = Enumerable.Range(0, count).Select(i => PackageId.Parse($"p{i}--{i:x40}")).ToList();
    var payload = RandomNumberGenerator.GetBytes(sizeKb * 1024);
    foreach (var id in ids)
    {
        Directory.CreateDirectory(cache.PackageFolder(id.Name));
        File.WriteAllBytes(cache.PackagePath(id), payload);
        cache.Record(id);
    }

    double Best(Action run, int rounds = 7)
    {
        var best = double.MaxValue;
        for (var r = 0; r < rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            run();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    var exists = Best(() => { foreach (var id in ids) if (!File.Exists(cache.PackagePath(id))) throw new InvalidOperationException(); });
    var check = Best(() => { foreach (var id in ids) if (!cache.Contains(id)) throw new InvalidOperationException(); });
    // Touch every tarball: the next check re-hashes each once (and updates its record).
    var rehash = Best(() =>
    {
        foreach (var id in ids) File.SetLastWriteTimeUtc(cache.PackagePath(id), DateTime.UtcNow.AddSeconds(-Random.Shared.Next(1, 1000)));
        foreach (var id in ids) if (!cache.Contains(id)) throw new InvalidOperationException();
    }, rounds: 3);

    Console.WriteLine($"{count} cached tarballs of {sizeKb} KiB");
    Console.WriteLine($"  File.Exists (baseline, no verification): {exists,8:0.0} ms  ({exists * 1000 / count:0.0} us/package)");
    Console.WriteLine($"  record check (stat + compare):           {check,8:0.0} ms  ({check * 1000 / count:0.0} us/package), ratio {check / exists:0.0}x, +{(check - exists) * 1000 / count:0.0} us/package");
    Console.WriteLine($"  after a touch (re-hash each once):       {rehash,8:0.0} ms  ({rehash / count:0.00} ms/package, {(double)count * sizeKb / 1024 / (rehash / 1000):0} MiB/s)");
}
finally
{
    Directory.Delete(root, recursive: true);
}
