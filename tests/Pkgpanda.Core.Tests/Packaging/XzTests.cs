using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Packaging;

public class XzTests
{
    private static byte[] Sample(int size, int seed)
    {
        // Half text (compressible), half random, so blocks differ in how they compress.
        var random = new Random(seed);
        var data = new byte[size];
        var text = "pkgpanda packages are tarballs of a build result\n"u8;
        for (var i = 0; i < size / 2; i++) data[i] = text[i % text.Length];
        random.NextBytes(data.AsSpan(size / 2));
        return data;
    }

    private static byte[] Compress(byte[] data, XzOptions options, int chunk = 100_000)
    {
        var output = new MemoryStream();
        using (var xz = Xz.Compress(output, options, leaveOpen: true))
            for (var at = 0; at < data.Length; at += chunk)
                xz.Write(data, at, Math.Min(chunk, data.Length - at));
        return output.ToArray();
    }

    [Fact]
    public void Output_passes_xz_test_and_decompresses_with_xz()
    {
        var data = Sample(3 << 20, 1);
        var packed = Compress(data, new XzOptions { BlockSize = 1 << 20 });

        Tools.RunBytes("xz", packed, "-t", "-").ShouldBeEmpty();
        Tools.RunBytes("xz", packed, "-dc").ShouldBe(data);
    }

    [Fact]
    public void Output_is_identical_for_any_thread_count()
    {
        var data = Sample(5 << 20, 2);
        var one = Compress(data, new XzOptions { Threads = 1, BlockSize = 1 << 20 });
        var two = Compress(data, new XzOptions { Threads = 2, BlockSize = 1 << 20 });
        var eight = Compress(data, new XzOptions { Threads = 8, BlockSize = 1 << 20 }, chunk: 7777);

        two.ShouldBe(one);
        eight.ShouldBe(one);
    }

    [Fact]
    public void Output_matches_xz_with_the_same_block_size()
    {
        var data = Sample(3 << 20, 3);
        var ours = Compress(data, new XzOptions { BlockSize = 1 << 20 });

        Tools.RunBytes("xz", data, "-T2", "--block-size=1MiB", "-6", "-c").ShouldBe(ours);
    }

    [Fact]
    public async Task Async_writes_give_the_same_bytes_as_sync_writes()
    {
        var data = Sample(2 << 20, 4);
        var output = new MemoryStream();
        await using (var xz = Xz.Compress(output, new XzOptions { BlockSize = 1 << 20 }, leaveOpen: true))
            await xz.WriteAsync(data.AsMemory());

        output.ToArray().ShouldBe(Compress(data, new XzOptions { BlockSize = 1 << 20 }));
    }

    [Fact]
    public async Task Reads_back_what_xz_wrote_including_concatenated_streams()
    {
        var a = Sample(1 << 20, 5);
        var b = Sample(300_000, 6);
        var joined = Tools.RunBytes("xz", a, "-c").Concat(Tools.RunBytes("xz", b, "-T2", "-c")).ToArray();

        using var xz = Xz.Decompress(new MemoryStream(joined));
        var result = new MemoryStream();
        await xz.CopyToAsync(result);

        result.ToArray().ShouldBe(a.Concat(b).ToArray());
    }

    [Fact]
    public void Truncated_or_corrupt_input_is_an_error()
    {
        var packed = Compress(Sample(200_000, 7), new XzOptions());

        Should.Throw<InvalidDataException>(() => Xz.Decompress(new MemoryStream(packed[..(packed.Length / 2)])).CopyTo(Stream.Null));
        Should.Throw<InvalidDataException>(() => Xz.Decompress(new MemoryStream("not xz at all"u8.ToArray())).CopyTo(Stream.Null));
    }
}
