using Pkgpanda.Core.Sources;
using static Pkgpanda.Core.Tests.Sources.TestArchive;

namespace Pkgpanda.Core.Tests.Sources;

public sealed class ArchiveExtractorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Target => _dir["out/target"];
    private string Outside => _dir["out/outside"];

    private static readonly Item[] Good =
    [
        Dir("hello-1.0/"),
        File("hello-1.0/README", "readme\n"),
        Exec("hello-1.0/bin/run.sh", "#!/bin/sh\necho hi\n"),
        File("hello-1.0/lib/libhello.so.1", "elf\n"),
        Symlink("hello-1.0/lib/libhello.so", "libhello.so.1"),
        Symlink("hello-1.0/doc/README", "../README"),
        Hardlink("hello-1.0/README.copy", "hello-1.0/README"),
    ];

    [Theory]
    [InlineData("hello-1.0.tar.gz")]
    [InlineData("hello-1.0.tgz")]
    [InlineData("hello-1.0.tar.bz2")]
    [InlineData("hello-1.0.tar.xz")]
    [InlineData("hello-1.0.zip")]
    public void Extracts_with_the_top_folder_stripped_keeping_exec_bits_and_symlinks(string name)
    {
        var items = name.EndsWith(".zip") ? Good.Where(i => i.Type != System.Formats.Tar.TarEntryType.HardLink).ToArray() : Good;
        var archive = Write(_dir[name], items);

        ArchiveExtractor.Extract(archive, Target, name);

        System.IO.File.ReadAllText(Path.Combine(Target, "README")).ShouldBe("readme\n");
        System.IO.File.GetUnixFileMode(Path.Combine(Target, "bin/run.sh")).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        System.IO.File.GetUnixFileMode(Path.Combine(Target, "README")).HasFlag(UnixFileMode.UserExecute).ShouldBeFalse();
        new FileInfo(Path.Combine(Target, "lib/libhello.so")).LinkTarget.ShouldBe("libhello.so.1");
        new FileInfo(Path.Combine(Target, "doc/README")).LinkTarget.ShouldBe("../README");
        System.IO.File.ReadAllText(Path.Combine(Target, "doc/README")).ShouldBe("readme\n");
        if (!name.EndsWith(".zip"))
            System.IO.File.ReadAllText(Path.Combine(Target, "README.copy")).ShouldBe("readme\n");
        Directory.Exists(Path.Combine(Target, "hello-1.0")).ShouldBeFalse();
    }

    [Fact]
    public void Entries_with_a_dot_slash_prefix_are_stripped_too()
    {
        var archive = Write(_dir["a.tar.gz"], Dir("./"), Dir("./pkg-2/"), File("./pkg-2/x", "x"));
        ArchiveExtractor.Extract(archive, Target, "a.tar.gz");
        System.IO.File.ReadAllText(Path.Combine(Target, "x")).ShouldBe("x");
    }

    [Fact]
    public void More_than_one_top_level_entry_is_an_error()
    {
        var archive = Write(_dir["two.tar.gz"], File("a/x", "x"), File("b/y", "y"));
        Should.Throw<BuildError>(() => ArchiveExtractor.Extract(archive, Target, "two.tar.gz")).Message.ShouldContain("2 top-level entries (a, b)");
        NothingWritten();
    }

    [Fact]
    public void A_file_at_the_top_level_is_an_error()
    {
        var archive = Write(_dir["flat.zip"], File("README", "x"));
        Should.Throw<BuildError>(() => ArchiveExtractor.Extract(archive, Target, "flat.zip")).Message.ShouldContain("single folder");
    }

    public static TheoryData<string, Item[], string> Malicious => new()
    {
        { "dotdot.tar.gz", [File("top/ok", "fine"), File("top/../../outside/evil", "x")], "\"..\"" },
        { "absolute.tar.gz", [File("top/ok", "fine"), File("/tmp/pkgpanda-evil-absolute", "x")], "absolute path" },
        { "etc-link.tar.gz", [File("top/ok", "fine"), Symlink("top/etc", "/etc")], "absolute path \"/etc\"" },
        { "link-then-file.tar.gz", [Symlink("top/link", "../../outside"), File("top/link/evil", "x")], "leads outside" },
        { "abs-link-then-file.tar.gz", [Symlink("top/link", "/OUTSIDE"), File("top/link/evil", "x")], "outside" },
        { "hardlink-abs.tar.gz", [File("top/ok", "fine"), Hardlink("top/passwd", "/etc/passwd")], "hardlink" },
        { "hardlink-up.tar.gz", [File("top/ok", "fine"), Hardlink("top/evil", "top/../../outside/secret")], "hardlink" },
        { "link-chain.tar.gz", [Symlink("top/d", "."), Symlink("top/l", "d/../evil"), File("top/ok", "fine")], "leads outside" },
        { "dir-then-link.tar.gz", [File("top/d/a/b/keep", "x"), Symlink("top/l", "d/../.."), Symlink("top/d", "a/b"), File("top/l/evil", "x")], "replaces a folder" },
        { "file-over-link.tar.gz", [Symlink("top/f", "g"), File("top/f", "x")], "replaces a symlink" },
        { "dotdot.zip", [File("top/ok", "fine"), File("top/../../outside/evil", "x")], "\"..\"" },
        { "etc-link.zip", [File("top/ok", "fine"), Symlink("top/etc", "/etc"), File("top/etc/evil", "x")], "absolute path \"/etc\"" },
        { "link-then-file.zip", [Symlink("top/link", "../../outside"), File("top/link/evil", "x")], "leads outside" },
        // Names that clash: tar stops at them; Fetch must refuse what Build could not extract.
        { "file-then-inside.tar.gz", [File("top/a", "x"), File("top/a/b", "y")], "lies inside \"top/a\", which the archive has as a file" },
        { "dir-then-file.tar.gz", [Dir("top/d/"), File("top/d", "x")], "is a file where the archive has a folder of the same name" },
        { "inside-then-file.tar.gz", [File("top/d/e", "x"), File("top/d", "y")], "is a file where the archive has a folder" },
        { "file-then-dir.tar.gz", [File("top/f", "x"), Dir("top/f/")], "is a folder where the archive has a file" },
    };

    [Theory]
    [MemberData(nameof(Malicious))]
    public void Malicious_archives_are_refused_before_anything_is_written(string name, Item[] items, string reason)
    {
        Directory.CreateDirectory(Outside);
        System.IO.File.WriteAllText(Path.Combine(Outside, "secret"), "s");
        items = items.Select(i => i with { Link = i.Link == "/OUTSIDE" ? Outside : i.Link }).ToArray();
        var archive = Write(_dir[name], items);

        var ex = Should.Throw<BuildError>(() => ArchiveExtractor.Extract(archive, Target, name));

        ex.Message.ShouldContain(reason);
        ex.Message.ShouldContain("nothing was extracted");
        NothingWritten();
        Directory.GetFileSystemEntries(Outside).Select(Path.GetFileName).ShouldBe(["secret"]);
        System.IO.File.Exists("/tmp/pkgpanda-evil-absolute").ShouldBeFalse();
    }

    [Fact]
    public void Links_inside_the_target_are_allowed_even_through_other_links()
    {
        var archive = Write(_dir["ok.tar.gz"],
            Dir("top/real/sub/"), Symlink("top/alias", "real"), Symlink("top/up", "alias/sub/.."), File("top/alias/sub/f", "f"));
        ArchiveExtractor.Extract(archive, Target, "ok.tar.gz");
        System.IO.File.ReadAllText(Path.Combine(Target, "real/sub/f")).ShouldBe("f");
        Directory.Exists(Path.Combine(Target, "up/sub")).ShouldBeTrue();
    }

    private void NothingWritten()
    {
        if (Directory.Exists(Target)) Directory.GetFileSystemEntries(Target).ShouldBeEmpty();
        Directory.GetFileSystemEntries(_dir["out"]).Select(Path.GetFileName).Order().ShouldBeSubsetOf(["outside", "target"]);
    }
}
