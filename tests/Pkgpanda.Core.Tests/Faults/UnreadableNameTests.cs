using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// Names .NET cannot name: a file whose name is not UTF-8, and a tree deeper than a path can be on this machine (the
/// build folder lies deeper than $PKG_PATH in the container). A build script can make both; packing refuses them by
/// name, and the build folder is removed all the same, so no later run's sweep trips over it.
/// </summary>
public class UnreadableNameTests
{
    private static void Shell(string script, string folder) => FaultyFolder.Run("bash", "-c", script, "bash", folder);

    private const string BadName = "cd \"$1\" && printf x > \"$(printf 'bad\\377\\376name')\"";
    private const string Deep = "cd \"$1\" && n=$(printf '%0200d' 0) && for i in $(seq 1 30); do mkdir $n && cd $n || exit 1; done && echo deep > f";

    [Fact]
    public async Task A_name_that_is_not_utf8_is_refused_by_name_and_its_folder_is_removed()
    {
        using var tree = new TempTree();
        var result = tree.PathOf("scratch/result");
        Directory.CreateDirectory(Path.Combine(result, "lib"));
        Shell(BadName, Path.Combine(result, "lib"));

        var error = await Should.ThrowAsync<BuildError>(() => Packer.PackAsync(result, tree.PathOf("p.tar.xz")));

        error.Message.ShouldContain("whose name is not UTF-8");
        error.Message.ShouldContain("./lib/bad");
        File.Exists(tree.PathOf("p.tar.xz")).ShouldBeFalse();
        FileTree.Delete(tree.PathOf("scratch"));
        Directory.Exists(tree.PathOf("scratch")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_path_too_long_for_this_machine_is_refused_by_name_and_its_folder_is_removed()
    {
        using var tree = new TempTree();
        var result = tree.PathOf("scratch/result");
        Directory.CreateDirectory(result);
        Shell(Deep, result);

        var error = await Should.ThrowAsync<BuildError>(() => Packer.PackAsync(result, tree.PathOf("p.tar.xz")));

        error.Message.ShouldContain("longer than Linux opens (4095 bytes)");
        error.Message.ShouldStartWith(result);
        FileTree.TryDelete(tree.PathOf("scratch")).ShouldBeTrue();
        Directory.Exists(tree.PathOf("scratch")).ShouldBeFalse();
    }

    [Fact]
    public void A_package_folder_whose_name_is_not_utf8_is_one_error_naming_it()
    {
        using var tree = new TempTree().Package("ok");
        Shell("cd \"$1\" && mkdir \"$(printf 'x\\377')\" && echo '{}' > \"$(printf 'x\\377')/buildinfo.json\"", tree.Root);

        var error = Should.Throw<BuildError>(() => PackageStore.Load(tree.Root));

        error.Message.ShouldContain($"{tree.Root}/x\uFFFD: a folder whose name is not UTF-8");
    }

    [Fact]
    public void A_file_in_extra_whose_name_is_not_utf8_is_named_as_that()
    {
        using var tree = new TempTree().File("pkg/extra/ok.txt", "x");
        Shell(BadName, tree.PathOf("pkg/extra"));

        var error = Should.Throw<BuildError>(() => Pkgpanda.Core.Hashing.FolderHash.Of(tree.PathOf("pkg/extra")));

        error.Message.ShouldContain("its name is not UTF-8");
    }
}
