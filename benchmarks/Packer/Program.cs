// Packs a generated ~50 MB tree with our packer and with `tar | xz -T0 -6`, and prints throughput and sizes.
// Usage: dotnet run -c Release --project benchmarks/Packer [-- <megabytes>]
using System.Diagnostics;
using System.Text;
using Pkgpanda.Core.Packaging;

var megabytes = args.Length > 0 ? int.Parse(args[0]) : 50;
var work = Path.Combine(Path.GetTempPath(), "pkgpanda-bench-" + Environment.ProcessId);
var tree = Path.Combine(work, "tree");
try
{
    var inputBytes = Generate(tree, megabytes);
    Console.WriteLine($"tree: {inputBytes / 1e6:F1} MB, {Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Count()} files, {Environment.ProcessorCount} cores");

    var ours = Best(3, () => Packer.PackAsync(tree, Path.Combine(work, "ours.tar.xz")).GetAwaiter().GetResult());
    var theirs = Best(3, () => Shell($"tar -cf - -C '{tree}' . | xz -T0 -6 > '{work}/xz.tar.xz'"));
    var sameBlocks = Best(3, () => Shell($"tar -cf - -C '{tree}' . | xz -T0 -6 --block-size=8MiB > '{work}/xz8.tar.xz'"));

    Report("Packer (8 MiB blocks)", ours, inputBytes, Path.Combine(work, "ours.tar.xz"));
    Report("tar | xz -T0 -6", theirs, inputBytes, Path.Combine(work, "xz.tar.xz"));
    Report("tar | xz -T0 -6 --block-size=8MiB", sameBlocks, inputBytes, Path.Combine(work, "xz8.tar.xz"));
    Console.WriteLine($"speed ratio Packer / (tar | xz -T0): {theirs.TotalSeconds / ours.TotalSeconds:F2}");
    // Other work on the machine skews every figure; the load average says how much.
    if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static long Generate(string root, int megabytes)
{
    // By bytes, 60% source-like text (compressible) and 40% random (incompressible), in nested folders.
    var random = new Random(20240501);
    var words = "package build install activate mesos zookeeper java tarball variant require sources environment"
        .Split(' ');
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
    return total;
}

static TimeSpan Best(int runs, Action action)
{
    var best = TimeSpan.MaxValue;
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        action();
        if (watch.Elapsed < best) best = watch.Elapsed;
    }
    return best;
}

static void Shell(string command)
{
    using var process = Process.Start("bash", ["-c", command]);
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{command} exited {process.ExitCode}");
}

static void Report(string name, TimeSpan time, long inputBytes, string output)
{
    var size = new FileInfo(output).Length;
    Console.WriteLine($"{name,-36} {time.TotalSeconds,6:F2} s  {inputBytes / 1e6 / time.TotalSeconds,6:F1} MB/s  {size / 1e6,6:F2} MB ({(double)inputBytes / size:F2}x)");
}
