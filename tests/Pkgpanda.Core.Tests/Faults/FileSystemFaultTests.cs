using Pkgpanda.Core.Building;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// Faults of the file system where the cache and scratch are written: each is one EnvironmentFault naming the path
/// and the cause (never a .NET exception with frames), the run does not hang, and nothing half-written stays.
/// </summary>
public class FileSystemFaultTests
{
    private static readonly PackageId Id = PackageId.Parse("lib--1234");

    private static string[] Leftovers(string folder) =>
        Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories) : [];

    [Fact]
    public void A_cache_path_that_is_a_file_is_named_as_the_cause()
    {
        using var tree = new TempTree();
        tree.File("packages/cache", "I am a file");
        var cache = new PackageCache(tree.PathOf("packages/cache"));

        var fault = Should.Throw<EnvironmentFault>(() => Scratch.Create(cache.ScratchFolder, Id.ToString()));

        fault.Message.ShouldContain(": cannot create the build's scratch folder: " + tree.PathOf("packages/cache") + " is a file, where a folder is needed");
        File.ReadAllText(tree.PathOf("packages/cache")).ShouldBe("I am a file");
    }

    [Fact]
    public async Task A_lock_file_that_is_a_folder_is_named_as_a_folder_not_as_permission_denied()
    {
        using var tree = new TempTree();
        var path = tree.PathOf("cache/packages/lib/.lib.lock");
        Directory.CreateDirectory(path);
        var fault = await Should.ThrowAsync<EnvironmentFault>(FileLock.AcquireAsync(path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        fault.Message.ShouldContain("it is a folder, where a file is needed");
        fault.Message.ShouldNotContain("permission denied");
    }

    [Fact]
    public async Task A_lock_in_a_folder_that_is_a_file_fails_at_once_instead_of_waiting_forever()
    {
        using var tree = new TempTree();
        tree.File("cache", "x");
        var acquire = FileLock.AcquireAsync(tree.PathOf("cache/packages/lib/.lib.lock"), CancellationToken.None);
        var fault = await Should.ThrowAsync<EnvironmentFault>(acquire.WaitAsync(TimeSpan.FromSeconds(5)));
        fault.Message.ShouldContain("is a file, where a folder is needed");
    }

    [RootFact]
    public void An_immutable_cache_folder_is_a_fault_that_says_so_and_nothing_is_written()
    {
        using var tree = new TempTree();
        Directory.CreateDirectory(tree.PathOf("cache/packages/lib"));
        using (FaultyFolder.Immutable(tree.PathOf("cache/packages/lib")))
        {
            var fault = Should.Throw<EnvironmentFault>(() => AtomicFile.WriteAllText(tree.PathOf("cache/packages/lib/latest"), "lib--1"));
            fault.Message.ShouldStartWith(tree.PathOf("cache/packages/lib/latest") + ": cannot write this file: operation not permitted in " + tree.PathOf("cache/packages/lib"));
            fault.Message.ShouldContain("chattr -i");
            Leftovers(tree.PathOf("cache/packages/lib")).ShouldBeEmpty();
        }
    }

    [RootFact]
    public void A_read_only_cache_is_a_fault_naming_the_scratch_folder()
    {
        using var tree = new TempTree();
        using var ro = FaultyFolder.ReadOnly(tree.PathOf("cache"));
        var cache = new PackageCache(ro.Path);

        var fault = Should.Throw<EnvironmentFault>(() => Scratch.Create(cache.ScratchFolder, "lib--1"));

        fault.Message.ShouldContain(cache.ScratchFolder);
        fault.Message.ShouldContain($"cannot create the build's scratch folder: the file system in {ro.Path} is read-only");
    }

    [RootFact]
    public async Task A_full_disk_while_packing_is_a_fault_and_leaves_no_partial_tarball()
    {
        using var tree = new TempTree();
        // Random bytes do not compress: the tarball needs about 1 MB, the disk has 256 KB.
        tree.File("result/lib/big.bin", "");
        File.WriteAllBytes(tree.PathOf("result/lib/big.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(1 << 20));
        using var full = FaultyFolder.Full(tree.PathOf("cache"), 256);
        var cache = new PackageCache(full.Path);

        var fault = await Should.ThrowAsync<EnvironmentFault>(() => Packer.PackAsync(tree.PathOf("result"), cache.PackagePath(Id)));

        fault.Message.ShouldContain(cache.PackagePath(Id) + ": cannot write this file: no space left on the device");
        Leftovers(full.Path).Where(File.Exists).ShouldBeEmpty("the temporary tarball is removed");
        cache.Contains(Id).ShouldBeFalse();
    }

    [RootFact]
    public void A_full_disk_while_writing_the_build_log_is_reported_when_the_log_completes()
    {
        using var tree = new TempTree();
        using var full = FaultyFolder.Full(tree.PathOf("cache"), 64);
        var log = new BuildLog(Path.Combine(full.Path, "lib--1.log"), tailLines: 3);
        var line = new string('x', 1000);
        for (var i = 0; i < 200; i++) log.Write(line); // 200 KB into 64 KB: the writes fail, the build's output goes on

        var fault = Should.Throw<EnvironmentFault>(log.Complete);

        fault.Message.ShouldContain("lib--1.log: cannot write the build log: no space left on the device");
        log.Tail.Count.ShouldBe(3);
        Leftovers(full.Path).ShouldBeEmpty();
    }

    [Fact]
    public void An_unreadable_package_tarball_is_a_fault_naming_it()
    {
        using var tree = new TempTree();
        var cache = new PackageCache(tree.PathOf("cache"));
        // A folder where the tarball should be cannot be read as one, even by root.
        Directory.CreateDirectory(cache.PackagePath(Id));

        var fault = Should.Throw<EnvironmentFault>(() => Unpacker.UnpackAsync(cache.PackagePath(Id), tree.PathOf("install/lib")).GetAwaiter().GetResult());

        fault.Message.ShouldStartWith(cache.PackagePath(Id) + ": cannot read the package tarball");
        Directory.Exists(tree.PathOf("install/lib")).ShouldBeFalse();
        Leftovers(tree.PathOf("install")).ShouldBeEmpty();
    }

    [Fact]
    public void Other_exceptions_are_not_turned_into_faults()
    {
        FileSystemFault.Of(new InvalidOperationException("bug"), "/x", "write").ShouldBeNull();
        FileSystemFault.Of(new FileNotFoundException("gone"), "/x", "write").ShouldBeNull();
    }
}
