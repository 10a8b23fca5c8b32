using Pkgpanda.Core.Model;
using Pkgpanda.Core.Sources;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Sources;

/// <summary>The example tree's source packages check out as their build scripts expect.</summary>
public sealed class ExampleSourcesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string ExamplePackages()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "packages");
            if (Directory.Exists(Path.Combine(candidate, "hello-tarball"))) return candidate;
        }
        throw new InvalidOperationException("examples/packages/hello-tarball not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task Hello_tarball_extracts_its_shipped_archive_with_exec_bit_and_symlink()
    {
        var store = PackageStore.Load(ExamplePackages());
        using var fetchers = new SourceFetchers(_dir["cache"]);
        var src = _dir["src"];

        await new SourceFetchService(fetchers).CheckoutAsync(store.Get(new PackageKey("hello-tarball", null)), src);

        File.GetUnixFileMode(Path.Combine(src, "hello", "bin", "hello")).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        new FileInfo(Path.Combine(src, "hello", "bin", "hi")).LinkTarget.ShouldBe("hello");
        File.ReadAllText(Path.Combine(src, "hello", "README")).ShouldStartWith("hello 1.0");
    }

    [Fact]
    public void Project_source_points_at_the_project_repository()
    {
        var store = PackageStore.Load(ExamplePackages());
        var info = store.Get(new PackageKey("project-source", null));
        var fetcher = (GitLocalFetcher)new SourceFetchers(_dir["cache"]).Create(info, info.Sources.ShouldHaveSingleItem());
        var root = Path.GetFullPath(Path.Combine(ExamplePackages(), "..", ".."));
        fetcher.RepositoryPath.ShouldBe(root);
        File.Exists(Path.Combine(fetcher.RepositoryPath, "global.json")).ShouldBeTrue();
    }
}
