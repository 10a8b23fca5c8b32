using Pkgpanda.Core.Model;
using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>What a --repository-url may say, and the layout inside a repository.</summary>
public sealed class PackageRepositoryTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/repo", "http://127.0.0.1:8080/repo/")]
    [InlineData("HTTPS://example.invalid/a/b/", "https://example.invalid/a/b/")]
    public void Http_urls_open_an_http_repository(string url, string shown)
    {
        using var repository = PackageRepository.Open(url);

        repository.ShouldBeOfType<HttpRepository>().Url.ShouldBe(shown);
    }

    [Fact]
    public void File_urls_and_plain_paths_open_a_folder_repository()
    {
        using var fileUrl = PackageRepository.Open("file:///srv/pkgpanda");
        using var localhost = PackageRepository.Open("file://localhost/srv/pkgpanda");
        using var absolute = PackageRepository.Open("/srv/pkgpanda");
        using var relative = PackageRepository.Open("../shared/repo", options: new RepositoryOptions { BaseDirectory = "/work/tree" });

        fileUrl.ShouldBeOfType<FolderRepository>().Root.ShouldBe("/srv/pkgpanda");
        fileUrl.Url.ShouldBe("file:///srv/pkgpanda");
        localhost.ShouldBeOfType<FolderRepository>().Root.ShouldBe("/srv/pkgpanda");
        absolute.ShouldBeOfType<FolderRepository>().Root.ShouldBe("/srv/pkgpanda");
        relative.ShouldBeOfType<FolderRepository>().Root.ShouldBe("/work/shared/repo");
    }

    [Theory]
    [InlineData("s3://bucket/repo", "The repository url 's3://bucket/repo' uses 's3:', which is not supported: use http(s)://..., file://... or a folder path.")]
    [InlineData("file://fileserver/repo", "The repository url 'file://fileserver/repo' is not a local file url: write file:///absolute/path (or a plain folder path).")]
    [InlineData(" ", "The repository url is empty: pass http(s)://..., file://... or a folder path.")]
    [InlineData("http://", "The repository url 'http://' is not a valid http url.")]
    public void Unusable_urls_are_refused(string url, string message)
    {
        Should.Throw<BuildError>(() => PackageRepository.Open(url)).Message.ShouldBe(message);
    }

    [Fact]
    public void The_layout_is_pkgpandas()
    {
        RepositoryLayout.Package(new PackageId("mesos", "abc")).ShouldBe("packages/mesos/mesos--abc.tar.xz");
        RepositoryLayout.Bootstrap("0123").ShouldBe("bootstrap/0123.bootstrap.tar.xz");
        RepositoryLayout.Active("0123").ShouldBe("bootstrap/0123.active.json");
        RepositoryLayout.BootstrapLatest("ee").ShouldBe("bootstrap/ee.bootstrap.latest");
        RepositoryLayout.CompleteLatest(null).ShouldBe("complete/complete.latest.json");
        RepositoryLayout.CompleteLatest("ee").ShouldBe("complete/ee.complete.latest.json");
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("packages//x")]
    [InlineData("packages/./x")]
    [InlineData("packages\\x")]
    public void Paths_that_leave_the_repository_are_refused(string path)
    {
        using var folder = new FolderRepository(Path.GetTempPath());

        Should.Throw<ArgumentException>(() => folder.PathOf(path));
    }

    [Fact]
    public void Http_paths_are_escaped_segment_by_segment()
    {
        using var repository = new HttpRepository(new Uri("http://127.0.0.1:1/r/"), null);

        repository.UriOf("packages/a+b/a+b--1:2@x.tar.xz").AbsoluteUri.ShouldBe("http://127.0.0.1:1/r/packages/a%2Bb/a%2Bb--1%3A2%40x.tar.xz");
    }

    [Fact]
    public void Sidecars_are_sha256sum_lines()
    {
        var sha = new string('a', 64);

        Sha256Sidecar.Format(sha, "packages/mesos/mesos--1.tar.xz").ShouldBe($"{sha}  mesos--1.tar.xz\n");
        Sha256Sidecar.Parse($"{sha.ToUpperInvariant()}  mesos--1.tar.xz\n").ShouldBe(sha);
        Sha256Sidecar.Parse("not a digest").ShouldBeNull();
        Sha256Sidecar.Parse("").ShouldBeNull();
    }
}
