// Packs a folder with our packer, then compresses the very same tar with `xz -6 -T1` (single stream: what pkgpanda's
// `tar -cJf` gives) and `xz -6 -T0` (xz's own multithreaded default, 24 MiB blocks), and prints sizes, times and the
// ratios, all measured in this run. Not a test: times depend on the machine and its load (printed).
// Usage: dotnet run -c Release --project benchmarks/Packer [-- <folder>... | <megabytes>]
//   a folder: real files (e.g. /usr/share/dotnet/shared, /usr/include); a number: a generated tree of that size.
using System.Diagnostics;
using System.Text;
using Pkgpanda.Core.Packaging;

var work = Path.Combine(Path.GetTempPath(), "pkgpanda-bench-" + Environment.ProcessId);
Directory.CreateDirectory(work);
try
{
    var inputs = args.Length == 0 || int.TryParse(args[0], out _)
        ? [Generate(Path.Combine(work, "generated"), args.Length > 0 ? int.Parse(args[0]) : 50)]
        : args;
    Console.WriteLine($"{Environment.ProcessorCount} cores; block policy: {new XzOptions().MaximumBlocks} equal blocks at most, each >= {new XzOptions().MinimumBlockSize >> 20} MiB");
    foreach (var folder in inputs) Measure(folder, work);
    if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static void Measure(string folder, string work)
{
    var ours = Path.Combine(work, "ours.tar.xz");
    var tar = Path.Combine(work, "same.tar");
    var oursTime = Time(() => Packer.PackAsync(folder, ours).GetAwaiter().GetResult());
    // The baselines compress exactly our tar, so sizes differ by compression alone.
    Shell($"xz -dc '{ours}' > '{tar}'");
    var tarSize = new FileInfo(tar).Length;
    var blocks = new XzOptions().BlockSizeFor(tarSize);
    var t1Time = Time(() => Shell($"xz -6 -T1 -c '{tar}' > '{work}/t1.xz'"));
    var t0Time = Time(() => Shell($"xz -6 -T0 -c '{tar}' > '{work}/t0.xz'"));
    long Size(string f) => new FileInfo(Path.Combine(work, f)).Length;
    var (o, t1, t0) = (new FileInfo(ours).Length, Size("t1.xz"), Size("t0.xz"));

    Console.WriteLine($"\n{folder}: tar {tarSize / 1e6:F1} MB, {(tarSize + blocks - 1) / blocks} block(s) of {blocks >> 20} MiB");
    Row("Packer (tar + xz, policy)", oursTime, tarSize, o);
    Row("xz -6 -T1 (single stream)", t1Time, tarSize, t1);
    Row("xz -6 -T0 (24 MiB blocks)", t0Time, tarSize, t0);
    Console.WriteLine($"size  ratio Packer / xz -T1: {(double)o / t1:F4}   Packer / xz -T0: {(double)o / t0:F4}   (goal <= 1.01 against -T1)");
    Console.WriteLine($"speed ratio xz -T1 / Packer: {t1Time.TotalSeconds / oursTime.TotalSeconds:F2}x   xz -T0 / Packer: {t0Time.TotalSeconds / oursTime.TotalSeconds:F2}x   (> 1: Packer is faster; it also writes the tar)");
    foreach (var f in new[] { ours, tar, Path.Combine(work, "t1.xz"), Path.Combine(work, "t0.xz") }) File.Delete(f);
}

static string Generate(string root, int megabytes)
{
    // By bytes, 60% source-like text (compressible) and 40% random (incompressible), in nested folders.
    var random = new Random(20240501);
    var words = "package build install activate mesos zookeeper java tarball variant require sources environment".Split(' ');
    long total = 0, text = 0, target = (long)megabytes << 20;
    for (var i = 0; total < target; i++)
    {
        var folder = Path.Combine(root, $"d{i % 7}", $"s{i % 13}");
        Directory.CreateDirectory(folder);
        if (text < total * 6 / 10 + 1)
        {
            var builder = new StringBuilder();
            while (builder.Length < 150_000)
                builder.Append(words[random.Next(words.Length)]).Append(random.Next(10) == 0 ? ";\n" : " ");
            File.WriteAllText(Path.Combine(folder, $"file{i}.txt"), builder.ToString());
            total += builder.Length;
            text += builder.Length;
        }
        else
        {
            var bytes = new byte[random.Next(200_000, 1_500_000)];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, $"blob{i}.bin"), bytes);
            total += bytes.Length;
        }
    }
    return root;
}

static TimeSpan Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed;
}

static void Shell(string command)
{
    using var process = Process.Start("bash", ["-c", command]);
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{command} exited {process.ExitCode}");
}

static void Row(string name, TimeSpan time, long inputBytes, long size) =>
    Console.WriteLine($"  {name,-28} {time.TotalSeconds,7:F1} s {inputBytes / 1e6 / time.TotalSeconds,6:F1} MB/s {size / 1e6,8:F2} MB ({(double)inputBytes / size:F2}x)");
