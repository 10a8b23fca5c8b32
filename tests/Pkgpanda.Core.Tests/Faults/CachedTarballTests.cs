using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// A cached tarball counts as up to date only while it is what was written: its size and sha256 are recorded when it
/// is written, a stat and a compare confirm it on every run, and a changed size or time makes the sha256 decide.
/// </summary>
public class CachedTarballTests
{
    private static readonly PackageId Id = PackageId.Parse("lib--0123456789abcdef");

    private static async Task<PackageCache> PackedAsync(TempTree tree, bool record = true)
    {
        tree.File("result/lib/lib.so", string.Concat(Enumerable.Repeat("library bytes ", 20_000)));
        tree.File("result/bin/tool", "#!/bin/sh\necho tool\n", executable: true);
        var cache = new PackageCache(tree.PathOf("cache"));
        await Packer.PackAsync(tree.PathOf("result"), cache.PackagePath(Id));
        if (record) cache.Record(Id);
        return cache;
    }

    private static void Overwrite(string path, long offset, byte value)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        file.WriteByte(value);
    }

    [Fact]
    public async Task A_truncated_tarball_is_not_up_to_date_and_is_set_aside()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree);
        var tarball = cache.PackagePath(Id);
        var size = new FileInfo(tarball).Length;
        cache.Contains(Id).ShouldBeTrue();

        using (var file = new FileStream(tarball, FileMode.Open, FileAccess.Write)) file.SetLength(size / 2);

        var check = cache.Check(Id);
        check.State.ShouldBe(CacheState.Corrupt);
        check.Problem.ShouldBe($"it has {size / 2} bytes, {size} were written");
        cache.Contains(Id).ShouldBeFalse();
        var aside = cache.SetAside(Id);
        aside.ShouldBe(tarball + ".corrupt");
        File.Exists(tarball).ShouldBeFalse();
        new FileInfo(aside).Length.ShouldBe(size / 2);
        cache.Check(Id).State.ShouldBe(CacheState.Missing);
    }

    [Fact]
    public async Task A_second_damaged_copy_is_set_aside_beside_the_first_not_over_it()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree);
        var tarball = cache.PackagePath(Id);
        using (var file = new FileStream(tarball, FileMode.Open, FileAccess.Write)) file.SetLength(100);
        cache.SetAside(Id).ShouldBe(tarball + ".corrupt");

        cache = await PackedAsync(tree);
        using (var file = new FileStream(tarball, FileMode.Open, FileAccess.Write)) file.SetLength(200);
        cache.Check(Id).State.ShouldBe(CacheState.Corrupt);
        cache.SetAside(Id).ShouldBe(tarball + ".corrupt.2");
        new FileInfo(tarball + ".corrupt").Length.ShouldBe(100);
        new FileInfo(tarball + ".corrupt.2").Length.ShouldBe(200);
        cache.Check(Id).State.ShouldBe(CacheState.Missing);
    }

    [Fact]
    public async Task A_folder_where_the_record_belongs_is_a_fault_naming_it()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree, record: false);
        var record = TarballRecord.PathFor(cache.PackagePath(Id));
        Directory.CreateDirectory(Path.Combine(record, "inside"));
        var fault = Should.Throw<EnvironmentFault>(() => cache.Check(Id));
        fault.Message.ShouldContain(record);
        fault.Message.ShouldContain("it is a folder");
    }

    [Fact]
    public async Task A_tarball_changed_in_place_is_caught_by_its_sha256()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree);
        var tarball = cache.PackagePath(Id);
        var size = new FileInfo(tarball).Length;
        var original = File.ReadAllBytes(tarball)[size / 2];

        Overwrite(tarball, size / 2, (byte)(original ^ 0xFF));
        File.SetLastWriteTimeUtc(tarball, DateTime.UtcNow.AddMinutes(1));

        var check = cache.Check(Id);
        check.State.ShouldBe(CacheState.Corrupt);
        check.Problem!.ShouldStartWith("its sha256 is ");
    }

    [Fact]
    public async Task A_touched_tarball_with_the_same_bytes_is_still_up_to_date_and_its_record_follows()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree);
        var tarball = cache.PackagePath(Id);
        File.SetLastWriteTimeUtc(tarball, DateTime.UtcNow.AddHours(-5));

        cache.Check(Id).State.ShouldBe(CacheState.Verified);
        TarballRecord.Read(tarball)!.ModifiedTicks.ShouldBe(File.GetLastWriteTimeUtc(tarball).Ticks);
    }

    [Fact]
    public async Task An_unchanged_size_and_time_is_trusted_without_reading_the_tarball()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree);
        var tarball = cache.PackagePath(Id);
        var time = File.GetLastWriteTimeUtc(tarball);
        // Same size, same time, different bytes: only a read could tell, and the no-op check must not read.
        Overwrite(tarball, 100, 0);
        File.SetLastWriteTimeUtc(tarball, time);

        cache.Check(Id).State.ShouldBe(CacheState.Verified);
    }

    [Fact]
    public async Task A_tarball_without_a_record_is_checked_by_its_xz_stream_then_recorded()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree, record: false);
        var tarball = cache.PackagePath(Id);
        File.Copy(tarball, tree.PathOf("whole.tar.xz"));

        using (var file = new FileStream(tarball, FileMode.Open, FileAccess.Write)) file.SetLength(file.Length - 40);
        var check = cache.Check(Id);
        check.State.ShouldBe(CacheState.Corrupt);
        check.Problem!.ShouldContain("no record");
        check.Problem!.ShouldContain("truncated");

        File.Copy(tree.PathOf("whole.tar.xz"), tarball, overwrite: true);
        cache.Check(Id).State.ShouldBe(CacheState.Verified);
        TarballRecord.Read(tarball)!.Size.ShouldBe(new FileInfo(tarball).Length);
    }

    [Fact]
    public async Task A_tarball_without_a_record_whose_xz_holds_no_tar_is_not_up_to_date()
    {
        using var tree = new TempTree();
        var cache = await PackedAsync(tree, record: false);
        var tarball = cache.PackagePath(Id);
        // Intact xz (every check passes) around bytes that are no tar header.
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)('a' + i % 26)).ToArray();
        using (var file = File.Create(tarball))
        using (var xz = Xz.Compress(file))
            xz.Write(garbage);

        var check = cache.Check(Id);

        check.State.ShouldBe(CacheState.Corrupt);
        check.Problem!.ShouldContain("does not read as a .tar.xz");
        TarballRecord.Read(tarball).ShouldBeNull();
    }
}
