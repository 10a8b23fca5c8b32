using System.Formats.Tar;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Tests.Sources;

namespace Pkgpanda.Core.Tests.Packaging;

public class PackerTests
{
    private const UnixFileMode Rwx = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Rw = (UnixFileMode)0b110_100_100;
    private static readonly string LongName = "lib/" + new string('l', 120) + ".so";

    /// <summary>A result folder with the cases that matter: order traps, dot files, links, empty and private folders.</summary>
    internal static void MakeResult(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "pkginfo.json"), "{}");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.WriteAllText(Path.Combine(root, "bin/tool"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(root, "bin/tool"), Rwx);
        File.WriteAllText(Path.Combine(root, "a-b"), "dash sorts before slash, but a/ comes first in a depth-first walk");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        File.WriteAllText(Path.Combine(root, "a/x"), "x");
        File.WriteAllText(Path.Combine(root, ".hidden"), "dot files are kept");
        Directory.CreateDirectory(Path.Combine(root, "lib"));
        File.WriteAllBytes(Path.Combine(root, "lib/libx.so.1"), [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, 1, 2]);
        File.CreateSymbolicLink(Path.Combine(root, "lib/libx.so"), "libx.so.1");
        File.CreateSymbolicLink(Path.Combine(root, "lib/absolute"), "/opt/mesosphere/lib/libx.so.1");
        File.WriteAllText(Path.Combine(root, LongName), "names past 100 bytes need GNU long-name entries");
        File.WriteAllText(Path.Combine(root, "secret"), "");
        File.SetUnixFileMode(Path.Combine(root, "secret"), (UnixFileMode)0b110_000_000);
        Directory.CreateDirectory(Path.Combine(root, "share/empty"));
        File.SetUnixFileMode(Path.Combine(root, "share/empty"), (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(root, Rwx);
    }

    private static readonly string[] ExpectedNames =
    [
        "./", "./.hidden", "./a/", "./a/x", "./a-b", "./bin/", "./bin/tool", "./lib/", "./lib/absolute", "./lib/libx.so",
        "./lib/libx.so.1", "./" + LongName, "./pkginfo.json", "./secret", "./share/", "./share/empty/",
    ];

    internal static List<TarEntry> ReadEntries(string tarball)
    {
        using var file = File.OpenRead(tarball);
        using var xz = Xz.Decompress(file);
        using var reader = new TarReader(xz);
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } e) entries.Add(e);
        return entries;
    }

    [Fact]
    public async Task Entries_are_named_ordered_and_stamped_like_pkgpanda_but_reproducibly()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        var tarball = temp["out/pkg--1.tar.xz"];

        await Packer.PackAsync(temp["result"], tarball);

        var entries = ReadEntries(tarball);
        entries.Select(e => e.Name).ShouldBe(ExpectedNames);
        entries.ShouldAllBe(e => e.Format == TarEntryFormat.Gnu && e.Uid == 0 && e.Gid == 0 && e.ModificationTime == DateTimeOffset.UnixEpoch);
        entries.Cast<GnuTarEntry>().ShouldAllBe(e => e.UserName == "" && e.GroupName == "");
        var byName = entries.ToDictionary(e => e.Name);
        byName["./"].Mode.ShouldBe(Rwx);
        byName["./bin/tool"].Mode.ShouldBe(Rwx);
        byName["./pkginfo.json"].Mode.ShouldBe(Rw);
        byName["./secret"].Mode.ShouldBe((UnixFileMode)0b110_000_000);
        byName["./share/empty/"].EntryType.ShouldBe(TarEntryType.Directory);
        byName["./share/empty/"].Mode.ShouldBe((UnixFileMode)0b111_000_000);
        byName["./lib/libx.so"].EntryType.ShouldBe(TarEntryType.SymbolicLink);
        byName["./lib/libx.so"].LinkName.ShouldBe("libx.so.1");
        byName["./lib/absolute"].LinkName.ShouldBe("/opt/mesosphere/lib/libx.so.1");
        new StreamReader(byName["./bin/tool"].DataStream!).ReadToEnd().ShouldBe("#!/bin/sh\necho hi\n");
    }

    [Fact]
    public async Task System_tar_xz_and_python_tarfile_read_the_package()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        var tarball = temp["pkg--1.tar.xz"];
        await Packer.PackAsync(temp["result"], tarball);

        var xz = Tools.Run("xz", "-t", tarball);
        xz.ExitCode.ShouldBe(0, xz.Error);
        var tar = Tools.Run("tar", "-tvJf", tarball);
        tar.ExitCode.ShouldBe(0, tar.Error);
        var lines = tar.Output.TrimEnd('\n').Split('\n');
        lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5]).ShouldBe(ExpectedNames);
        lines[0].ShouldStartWith("drwxr-xr-x 0/0 ");
        lines.ShouldContain(l => l.StartsWith("lrwxrwxrwx 0/0 ") && l.EndsWith("./lib/libx.so -> libx.so.1"));
        lines.ShouldContain(l => l.StartsWith("-rw------- 0/0 ") && l.EndsWith("./secret"));
        lines.ShouldAllBe(l => l.Contains(" 1970-01-01 00:00 "));

        var python = Tools.Run("python3", "-c",
            "import sys, tarfile\nfor m in tarfile.open(sys.argv[1]): print(m.name, oct(m.mode), m.uid, m.gid, m.mtime, m.linkname)", tarball);
        python.ExitCode.ShouldBe(0, python.Error);
        python.Output.ShouldContain("./lib/libx.so 0o777 0 0 0 libx.so.1\n");
        python.Output.ShouldContain("./bin/tool 0o755 0 0 0 \n");
    }

    [Fact]
    public async Task Same_content_gives_the_same_bytes_whatever_the_mtimes_owners_and_creation_order()
    {
        using var temp = new TempFolder();
        MakeResult(temp["one"]);
        await Packer.PackAsync(temp["one"], temp["one.tar.xz"]);
        await Packer.PackAsync(temp["one"], temp["again.tar.xz"]);

        // The same tree built in another order, with other mtimes and (where we may) other owners.
        Directory.CreateDirectory(temp["two"]);
        foreach (var entry in ExpectedNames.Skip(1).Reverse())
        {
            var source = Path.Combine(temp["one"], entry);
            var copy = Path.Combine(temp["two"], entry);
            Directory.CreateDirectory(Path.GetDirectoryName(copy.TrimEnd('/'))!);
            if (new FileInfo(source).LinkTarget is { } link) File.CreateSymbolicLink(copy, link);
            else if (entry.EndsWith('/')) Directory.CreateDirectory(copy);
            else File.Copy(source, copy);
        }
        foreach (var entry in ExpectedNames)
        {
            var source = Path.Combine(temp["one"], entry);
            var copy = Path.Combine(temp["two"], entry);
            if (new FileInfo(source).LinkTarget is not null) continue;
            File.SetUnixFileMode(copy, File.GetUnixFileMode(source));
            if (entry.EndsWith('/')) Directory.SetLastWriteTimeUtc(copy, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
            else File.SetLastWriteTimeUtc(copy, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        }
        Tools.Run("chown", "-R", "-h", "1234:5678", temp["two"]);
        await Packer.PackAsync(temp["two"], temp["two.tar.xz"]);

        var first = File.ReadAllBytes(temp["one.tar.xz"]);
        File.ReadAllBytes(temp["again.tar.xz"]).ShouldBe(first);
        File.ReadAllBytes(temp["two.tar.xz"]).ShouldBe(first);
    }

    /// <summary>
    /// Ctrl-C while a big package is packed: the encoder's threads may still have a whole block to compress (tens of
    /// seconds for a big one), which is not waited for; no tarball is left. Measured against the same pack uncancelled.
    /// </summary>
    [Fact]
    public async Task Packing_a_big_package_stops_soon_after_it_is_cancelled_and_leaves_no_tarball()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["result/lib"]);
        var blob = new byte[16 << 20];
        new Random(7).NextBytes(blob);
        File.WriteAllBytes(temp["result/lib/blob"], blob);
        // One block, one thread: the whole compression happens at the end, in the encoder's own thread.
        var options = new PackOptions { Xz = new XzOptions { Threads = 1 } };
        var whole = System.Diagnostics.Stopwatch.StartNew();
        await Packer.PackAsync(temp["result"], temp["whole.tar.xz"], options);
        whole.Stop();

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var cancelled = System.Diagnostics.Stopwatch.StartNew();
        await Should.ThrowAsync<OperationCanceledException>(() => Packer.PackAsync(temp["result"], temp["cut.tar.xz"], options, cancellationToken: cancel.Token));
        cancelled.Stop();

        File.Exists(temp["cut.tar.xz"]).ShouldBeFalse();
        Directory.GetFiles(temp.Path).Where(f => f.Contains("cut.tar.xz", StringComparison.Ordinal)).ShouldBeEmpty("no temporary file is left either");
        // It ends within a second of the cancel (the encoder answers every 200 ms), not after the whole pack; on a
        // machine so busy that the whole pack took far longer than usual, within a third of it.
        var bound = TimeSpan.FromMilliseconds(300) + TimeSpan.FromSeconds(1);
        if (whole.Elapsed / 3 > bound) bound = whole.Elapsed / 3;
        cancelled.Elapsed.ShouldBeLessThan(bound, $"the uncancelled pack took {whole.Elapsed}");
        whole.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(2), "the package must be big enough for the cancel to matter");
    }

    [Fact]
    public async Task Thread_count_does_not_change_the_bytes()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        var random = new Random(42);
        var blob = new byte[3 << 20];
        random.NextBytes(blob);
        File.WriteAllBytes(temp["result/lib/blob"], blob);
        var small = new XzOptions { BlockSize = 1 << 20 };

        await Packer.PackAsync(temp["result"], temp["t1.tar.xz"], new PackOptions { Xz = small with { Threads = 1 } });
        await Packer.PackAsync(temp["result"], temp["t2.tar.xz"], new PackOptions { Xz = small with { Threads = 2 } });
        await Packer.PackAsync(temp["result"], temp["t5.tar.xz"], new PackOptions { Xz = small with { Threads = 5 } });

        File.ReadAllBytes(temp["t2.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["t1.tar.xz"]));
        File.ReadAllBytes(temp["t5.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["t1.tar.xz"]));
    }

    [Fact]
    public async Task A_big_package_is_cut_into_equal_blocks_by_its_size_alone_and_a_small_one_is_one_block()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        var random = new Random(7);
        var blob = new byte[9 << 19]; // 4.5 MiB: with 1 MiB minimum blocks, four blocks of 1.2 MiB (rounded up to 2 MiB: three)
        random.NextBytes(blob);
        File.WriteAllBytes(temp["result/lib/blob"], blob);
        // The production policy scaled down (48 MiB minimum there), so the test packs megabytes, not hundreds.
        var policy = new XzOptions { MinimumBlockSize = 1 << 20, MaximumBlocks = 4 };

        foreach (var threads in new[] { 1, 2, 5 })
            await Packer.PackAsync(temp["result"], temp[$"t{threads}.tar.xz"], new PackOptions { Xz = policy with { Threads = threads } });

        File.ReadAllBytes(temp["t2.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["t1.tar.xz"]));
        File.ReadAllBytes(temp["t5.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["t1.tar.xz"]));
        var tarSize = Tools.RunBytes("xz", File.ReadAllBytes(temp["t1.tar.xz"]), "-dc").Length;
        var blockSize = policy.BlockSizeFor(tarSize);
        blockSize.ShouldBe(2L << 20);
        Blocks(temp["t1.tar.xz"]).ShouldBe((int)((tarSize + blockSize - 1) / blockSize));
        Blocks(temp["t1.tar.xz"]).ShouldBe(3);

        File.Delete(temp["result/lib/blob"]);
        await Packer.PackAsync(temp["result"], temp["small.tar.xz"], new PackOptions { Xz = policy });
        Blocks(temp["small.tar.xz"]).ShouldBe(1);
    }

    [Theory]
    [InlineData(10_000_000L, 1)]          // below twice the minimum: one block, as single-stream xz
    [InlineData(95L << 20, 1)]
    [InlineData(96L << 20, 2)]            // two blocks of 48 MiB
    [InlineData(210_268_160L, 4)]         // ~200 MB: four blocks of 51 MiB
    [InlineData(4_000_000_000L, 4)]       // never more than four
    public void The_block_size_follows_the_input_size_only(long inputSize, int blocks)
    {
        var options = new XzOptions();
        var size = options.BlockSizeFor(inputSize);
        ((inputSize + size - 1) / size).ShouldBe(blocks);
        size.ShouldBeGreaterThanOrEqualTo(Math.Min(options.MinimumBlockSize, inputSize));
        (size % (1 << 20)).ShouldBe(0);
        (options with { Threads = 1 }).BlockSizeFor(inputSize).ShouldBe(size);
        new XzOptions { BlockSize = 8 << 20 }.BlockSizeFor(inputSize).ShouldBe(8 << 20);
    }

    /// <summary>The number of xz blocks, as <c>xz --list</c> counts them.</summary>
    private static int Blocks(string tarball)
    {
        var (exit, output, error) = Tools.Run("xz", "--robot", "--list", tarball);
        exit.ShouldBe(0, error);
        var totals = output.Split('\n').Single(l => l.StartsWith("totals\t", StringComparison.Ordinal)).Split('\t');
        return int.Parse(totals[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Modification_time_option_stamps_every_entry()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        var when = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        await Packer.PackAsync(temp["result"], temp["p.tar.xz"], new PackOptions { ModificationTime = when });

        ReadEntries(temp["p.tar.xz"]).ShouldAllBe(e => e.ModificationTime == when);
    }

    [Fact]
    public async Task A_failed_pack_leaves_neither_the_tarball_nor_a_temporary_file()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        Directory.CreateDirectory(temp["out"]);
        // A file listed with its folder vanishes before it is read, as if the disk failed under us: opening it throws.
        var progress = new SyncProgress<string>(name => { if (name == "./a-b") File.Delete(temp["result/pkginfo.json"]); });

        var error = await Should.ThrowAsync<BuildError>(() => Packer.PackAsync(temp["result"], temp["out/pkg--1.tar.xz"], progress: progress));

        error.Message.ShouldContain("pkginfo.json");
        Directory.GetFileSystemEntries(temp["out"]).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_cancelled_pack_leaves_neither_the_tarball_nor_a_temporary_file()
    {
        using var temp = new TempFolder();
        MakeResult(temp["result"]);
        Directory.CreateDirectory(temp["out"]);
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<string>(name => { if (name == "./lib/") cancel.Cancel(); });

        await Should.ThrowAsync<OperationCanceledException>(() =>
            Packer.PackAsync(temp["result"], temp["out/pkg--1.tar.xz"], progress: progress, cancellationToken: cancel.Token));

        Directory.GetFileSystemEntries(temp["out"]).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_missing_folder_is_a_build_error()
    {
        using var temp = new TempFolder();

        var error = await Should.ThrowAsync<BuildError>(() => Packer.PackAsync(temp["nothing"], temp["p.tar.xz"]));

        error.Message.ShouldContain("nothing");
        File.Exists(temp["p.tar.xz"]).ShouldBeFalse();
    }
}

/// <summary>Reports on the caller's thread, unlike Progress&lt;T&gt;, so a test can act at an exact entry.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>What a package cannot hold, and a pack that is cancelled.</summary>
public class PackerRefusalTests
{
    [Fact]
    public async Task A_fifo_or_device_in_the_result_is_refused_by_name_not_packed_as_an_empty_file()
    {
        using var dir = new TempDir();
        var root = dir["result"];
        PackerTests.MakeResult(root);
        Tools.Run("mkfifo", Path.Combine(root, "a", "pipe")).ExitCode.ShouldBe(0);
        var destination = Path.Combine(dir.Path, "p.tar.xz");
        var error = await Should.ThrowAsync<BuildError>(() => Packer.PackAsync(root, destination));
        error.Message.ShouldContain($"{Path.Combine(root, "a", "pipe")}: the build made a FIFO (named pipe) here, which a package cannot hold");
        File.Exists(destination).ShouldBeFalse();
    }

    [Fact]
    public async Task Cancelling_while_a_big_file_is_compressed_stops_between_chunks_and_leaves_no_tarball()
    {
        using var dir = new TempDir();
        var root = dir["result"];
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "big"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 << 20));
        var destination = Path.Combine(dir.Path, "p.tar.xz");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Should.ThrowAsync<OperationCanceledException>(() => Packer.PackAsync(root, destination, cancellationToken: cancel.Token));
        File.Exists(destination).ShouldBeFalse();
        Directory.GetFiles(dir.Path).ShouldBeEmpty("no temporary is left");
    }
}
