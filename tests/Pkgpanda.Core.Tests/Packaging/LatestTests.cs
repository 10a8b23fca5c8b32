using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Packaging;

/// <summary>A package's <c>latest</c> pointer names its newest id; a no-op run finds it in place and writes nothing.</summary>
public class LatestTests
{
    private static readonly PackageId First = PackageId.Parse("mesos--1111111111111111111111111111111111111111");
    private static readonly PackageId Second = PackageId.Parse("mesos--2222222222222222222222222222222222222222");

    [Fact]
    public void Latest_is_written_when_it_names_another_id_and_left_untouched_when_it_names_this_one()
    {
        var root = Directory.CreateTempSubdirectory("latest-").FullName;
        try
        {
            var cache = new PackageCache(root);
            var key = new PackageKey("mesos", null);
            foreach (var id in new[] { First, Second })
            {
                Directory.CreateDirectory(cache.PackageFolder("mesos"));
                File.WriteAllText(cache.PackagePath(id), "tarball");
            }
            cache.WriteLatest(key, First);
            File.ReadAllText(cache.LatestPath(key)).ShouldBe(First.ToString());
            var written = DateTime.UnixEpoch.AddDays(1);
            File.SetLastWriteTimeUtc(cache.LatestPath(key), written);

            cache.WriteLatest(key, First);
            File.GetLastWriteTimeUtc(cache.LatestPath(key)).ShouldBe(written, "an unchanged pointer is not rewritten");

            cache.WriteLatest(key, Second);
            File.ReadAllText(cache.LatestPath(key)).ShouldBe(Second.ToString());
            Directory.GetFiles(cache.PackageFolder("mesos"), "*.tmp").ShouldBeEmpty();
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
