using Pkgpanda.Core.Model;
using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>Two machines, two caches, one repository: what A publishes, B downloads instead of building.</summary>
public sealed class SharingTests
{
    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task Machine_B_downloads_the_identical_bytes_machine_A_published(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        using var b = new Machine();
        var mesos = a.AddPackage("mesos", size: 300_000);
        var java = a.AddPackage("java");
        var bootstrap = a.AddTree(null, [mesos, java]);

        using (var repository = repo.Open())
        {
            var result = await new Publisher(repository, repo.Sink).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], [null]), CancellationToken.None);
            result.Uploaded.ShouldBe([$"bootstrap/{bootstrap}.active.json", $"bootstrap/{bootstrap}.bootstrap.tar.xz", RepositoryLayout.Package(java), RepositoryLayout.Package(mesos)]);
            result.Skipped.ShouldBeEmpty();
            result.Pointers.ShouldBe(["bootstrap/bootstrap.latest", "complete/complete.latest.json"]);
        }
        repo.Objects().ShouldContain($"packages/mesos/{mesos}.tar.xz.sha256");
        File.ReadAllText(repo.StorageOf(RepositoryLayout.Sidecar(RepositoryLayout.Package(mesos))))
            .ShouldBe($"{await Sha256Sidecar.OfFileAsync(a.Cache.PackagePath(mesos), CancellationToken.None)}  {mesos}.tar.xz\n");

        using (var repository = repo.Open())
        {
            var downloader = new PackageDownloader(repository, b.Cache, repo.Sink);
            (await downloader.TryDownloadAsync(mesos, CancellationToken.None)).ShouldBeTrue();
            (await downloader.TryDownloadBootstrapAsync(bootstrap, CancellationToken.None)).ShouldBeTrue();
        }
        b.Bytes(mesos).ShouldBe(a.Bytes(mesos));
        File.ReadAllBytes(Path.Combine(b.Cache.BootstrapFolder, $"{bootstrap}.bootstrap.tar.xz"))
            .ShouldBe(File.ReadAllBytes(Path.Combine(a.Cache.BootstrapFolder, $"{bootstrap}.bootstrap.tar.xz")));
        b.Files().ShouldBe([$"bootstrap/{bootstrap}.active.json", $"bootstrap/{bootstrap}.bootstrap.tar.xz", $"packages/mesos/{mesos}.tar.xz"]);
        repo.Events.OfType<Downloaded>().Select(e => e.RelativePath).ShouldContain(RepositoryLayout.Package(mesos));
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task A_package_not_in_the_repository_is_not_downloaded(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var b = new Machine();
        using var repository = repo.Open();

        (await new PackageDownloader(repository, b.Cache, repo.Sink).TryDownloadAsync(new PackageId("mesos", "abc"), CancellationToken.None)).ShouldBeFalse();

        b.Files().ShouldBeEmpty();
        repo.Events.OfType<NotInRepository>().ShouldHaveSingleItem().RelativePath.ShouldBe("packages/mesos/mesos--abc.tar.xz");
        repo.Events.OfType<RepositoryWarning>().ShouldBeEmpty();
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task A_tampered_object_is_refused_and_nothing_is_cached(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        using var b = new Machine();
        var mesos = a.AddPackage("mesos");
        using var repository = repo.Open();
        await new Publisher(repository).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None);
        var stored = repo.StorageOf(RepositoryLayout.Package(mesos));
        var bytes = File.ReadAllBytes(stored);
        bytes[100] ^= 0xff;
        File.WriteAllBytes(stored, bytes);

        var error = await Should.ThrowAsync<BuildError>(() => new PackageDownloader(repository, b.Cache).TryDownloadAsync(mesos, CancellationToken.None));

        error.Message.ShouldContain($"{mesos}.tar.xz does not match its published sha256");
        error.Message.ShouldContain(repo.Url.TrimEnd('/'));
        error.Message.ShouldContain("Nothing was cached");
        b.Files().ShouldBeEmpty();
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task A_tarball_published_broken_with_a_matching_sidecar_is_refused_and_nothing_is_cached(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        using var b = new Machine();
        var mesos = a.AddPackage("mesos", size: 300_000);
        using var repository = repo.Open();
        await new Publisher(repository).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None);
        // Cut short where it is stored, and the sidecar made to match: the sha256 alone cannot tell.
        var stored = repo.StorageOf(RepositoryLayout.Package(mesos));
        var bytes = File.ReadAllBytes(stored);
        File.WriteAllBytes(stored, bytes[..(bytes.Length / 2)]);
        File.WriteAllText(repo.StorageOf(RepositoryLayout.Sidecar(RepositoryLayout.Package(mesos))),
            $"{await Sha256Sidecar.OfFileAsync(stored, CancellationToken.None)}  {mesos}.tar.xz\n");

        var error = await Should.ThrowAsync<BuildError>(() => new PackageDownloader(repository, b.Cache).TryDownloadAsync(mesos, CancellationToken.None));

        error.Message.ShouldContain($"{mesos}.tar.xz matches its published sha256 but does not read as a .tar.xz: xz data is truncated");
        error.Message.ShouldContain(repo.Url.TrimEnd('/'));
        error.Message.ShouldContain("Nothing was cached");
        b.Files().ShouldBeEmpty();
        b.Cache.Contains(mesos).ShouldBeFalse();
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task An_object_without_its_sidecar_is_refused_and_nothing_is_cached(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        using var b = new Machine();
        var mesos = a.AddPackage("mesos");
        using var repository = repo.Open();
        await new Publisher(repository).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None);
        File.Delete(repo.StorageOf(RepositoryLayout.Sidecar(RepositoryLayout.Package(mesos))));

        var error = await Should.ThrowAsync<BuildError>(() => new PackageDownloader(repository, b.Cache).TryDownloadAsync(mesos, CancellationToken.None));

        error.Message.ShouldContain($"{mesos}.tar.xz.sha256 is missing");
        b.Files().ShouldBeEmpty();
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task Publishing_twice_skips_what_is_already_there(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        var mesos = a.AddPackage("mesos");
        var bootstrap = a.AddTree(null, [mesos]);
        using var repository = repo.Open();
        var plan = PublishPlan.FromCache(a.Cache, [mesos], [null]);
        await new Publisher(repository).PublishAsync(plan, CancellationToken.None);
        var before = repo.Objects().ToDictionary(o => o, o => File.GetLastWriteTimeUtc(repo.StorageOf(o)));

        var again = await new Publisher(repository, repo.Sink).PublishAsync(plan, CancellationToken.None);

        again.Uploaded.ShouldBeEmpty();
        again.Skipped.ShouldBe([$"bootstrap/{bootstrap}.active.json", $"bootstrap/{bootstrap}.bootstrap.tar.xz", RepositoryLayout.Package(mesos)]);
        repo.Events.OfType<SkippedIdentical>().Count().ShouldBe(3);
        foreach (var o in before.Keys.Where(o => !o.Contains(".latest")))
            File.GetLastWriteTimeUtc(repo.StorageOf(o)).ShouldBe(before[o], o);
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task Different_content_under_a_published_id_is_an_error_and_is_not_overwritten(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        using var b = new Machine();
        var mesos = a.AddPackage("mesos", version: "1");
        var other = b.AddPackage("mesos", version: "1");
        b.AddTree(null, [other]);
        using var repository = repo.Open();
        await new Publisher(repository).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None);

        var error = await Should.ThrowAsync<BuildError>(() => new Publisher(repository).PublishAsync(PublishPlan.FromCache(b.Cache, [other], [null]), CancellationToken.None));

        error.Message.ShouldContain("packages/mesos/mesos--1.tar.xz already exists with different content");
        error.Message.ShouldContain("no latest/complete pointer was updated");
        File.ReadAllBytes(repo.StorageOf(RepositoryLayout.Package(mesos))).ShouldBe(a.Bytes(mesos));
        File.Exists(repo.StorageOf(RepositoryLayout.CompleteLatest(null))).ShouldBeFalse();
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task An_object_published_without_a_sidecar_is_compared_by_its_bytes(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        var mesos = a.AddPackage("mesos");
        var stored = repo.StorageOf(RepositoryLayout.Package(mesos));
        Directory.CreateDirectory(Path.GetDirectoryName(stored)!);
        File.Copy(a.Cache.PackagePath(mesos), stored);
        using var repository = repo.Open();

        var result = await new Publisher(repository).PublishAsync(PublishPlan.FromCache(a.Cache, [mesos], []), CancellationToken.None);

        result.Skipped.ShouldBe([RepositoryLayout.Package(mesos)]);
        File.Exists(stored + ".sha256").ShouldBeTrue();
    }

    [NginxTheory]
    [MemberData(nameof(SharedRepository.Kinds), MemberType = typeof(SharedRepository))]
    public async Task Pointers_are_uploaded_after_every_object(string kind)
    {
        using var repo = SharedRepository.Create(kind);
        using var a = new Machine();
        var packages = Enumerable.Range(0, 6).Select(i => a.AddPackage($"p{i}", size: 50_000)).ToList();
        a.AddTree(null, packages);
        a.AddTree("ee", packages.Take(3).ToList());
        using var repository = repo.Open();

        await new Publisher(repository, repo.Sink, parallel: 3).PublishAsync(PublishPlan.FromCache(a.Cache, [], [null, "ee"]), CancellationToken.None);

        var order = repo.Events.OfType<Uploaded>().Select(e => e.RelativePath).ToList();
        order.Count.ShouldBe(6 + 2 * 2 + 4);
        order.TakeLast(4).ShouldBe(["bootstrap/bootstrap.latest", "bootstrap/ee.bootstrap.latest", "complete/complete.latest.json", "complete/ee.complete.latest.json"]);
    }

    [Fact]
    public void Publishing_a_package_that_is_not_in_the_cache_names_the_missing_file()
    {
        using var a = new Machine();

        var error = Should.Throw<BuildError>(() => PublishPlan.FromCache(a.Cache, [new PackageId("mesos", "1")], []));

        error.Message.ShouldBe($"Cannot publish packages/mesos/mesos--1.tar.xz: {a.Cache.PackagePath(new PackageId("mesos", "1"))} does not exist (build it first).");
    }

    [Fact]
    public void Publishing_a_tree_variant_that_was_not_packed_says_so()
    {
        using var a = new Machine();

        var error = Should.Throw<BuildError>(() => PublishPlan.FromCache(a.Cache, [], ["ee"]));

        error.Message.ShouldContain("complete/ee.complete.latest.json");
        error.Message.ShouldContain("the tree variant ee has not been packed; run the Pack target first");
    }
}
