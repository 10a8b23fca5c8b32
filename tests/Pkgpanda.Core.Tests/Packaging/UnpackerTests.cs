using System.Formats.Tar;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Packaging;

public class UnpackerTests
{
    [Fact]
    public async Task A_result_put_in_place_for_a_dependant_is_what_its_tarball_unpacks_to()
    {
        using var temp = new TempFolder();
        PackerTests.MakeResult(temp["result"]);
        // A hard link, as `ln` makes one (.NET has no call for it).
        System.Diagnostics.Process.Start("ln", [temp["result/a/x"], temp["result/a/hard"]])!.WaitForExit();
        File.SetUnixFileMode(temp["result/share"], (UnixFileMode)0b101_101_101);
        var id = Pkgpanda.Core.Model.PackageId.Parse("pkg--1");
        var entries = Packer.Entries(temp["result"]);
        await Packer.PackAsync(entries, temp["pkg--1.tar.xz"]);

        // From the same listing, at once, as a dependant starts while the package is packed.
        await Task.WhenAll(
            Activation.UnpackBuiltAsync(temp["built"], id, entries, temp["result"]),
            Activation.UnpackAsync(temp["unpacked"], temp["pkg--1.tar.xz"]));

        var built = Activation.PackageFolder(temp["built"], id);
        File.GetUnixFileMode(Path.Combine(built, "share")).ShouldBe((UnixFileMode)0b101_101_101);
        new FileInfo(Path.Combine(built, "lib/libx.so")).LinkTarget.ShouldBe("libx.so.1");
        File.ReadAllText(Path.Combine(built, "a/hard")).ShouldBe("x");
        // Names, contents, modes and link targets: both pack to the same bytes as the package itself.
        await Packer.PackAsync(built, temp["built.tar.xz"]);
        await Packer.PackAsync(Activation.PackageFolder(temp["unpacked"], id), temp["unpacked.tar.xz"]);
        File.ReadAllBytes(temp["built.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["pkg--1.tar.xz"]));
        File.ReadAllBytes(temp["unpacked.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["pkg--1.tar.xz"]));
    }

    [Fact]
    public async Task Unpacking_a_packed_folder_gives_back_files_modes_links_and_empty_folders()
    {
        using var temp = new TempFolder();
        PackerTests.MakeResult(temp["result"]);
        File.SetUnixFileMode(temp["result/share"], (UnixFileMode)0b101_101_101); // read-only folder with content
        await Packer.PackAsync(temp["result"], temp["p.tar.xz"]);

        await Unpacker.UnpackAsync(temp["p.tar.xz"], temp["unpacked"]);

        File.ReadAllText(temp["unpacked/bin/tool"]).ShouldBe("#!/bin/sh\necho hi\n");
        File.GetUnixFileMode(temp["unpacked/bin/tool"]).ShouldBe((UnixFileMode)0b111_101_101);
        File.GetUnixFileMode(temp["unpacked/secret"]).ShouldBe((UnixFileMode)0b110_000_000);
        File.ReadAllText(temp["unpacked/.hidden"]).ShouldBe("dot files are kept");
        new FileInfo(temp["unpacked/lib/libx.so"]).LinkTarget.ShouldBe("libx.so.1");
        new FileInfo(temp["unpacked/lib/absolute"]).LinkTarget.ShouldBe("/opt/mesosphere/lib/libx.so.1");
        File.ReadAllBytes(temp["unpacked/lib/libx.so"]).ShouldBe(File.ReadAllBytes(temp["result/lib/libx.so.1"]));
        Directory.Exists(temp["unpacked/share/empty"]).ShouldBeTrue();
        File.GetUnixFileMode(temp["unpacked/share/empty"]).ShouldBe((UnixFileMode)0b111_000_000);
        File.GetUnixFileMode(temp["unpacked/share"]).ShouldBe((UnixFileMode)0b101_101_101);
        File.GetUnixFileMode(temp["unpacked"]).ShouldBe((UnixFileMode)0b111_101_101);

        // Packing what was unpacked gives the same bytes: nothing was lost on the way.
        await Packer.PackAsync(temp["unpacked"], temp["again.tar.xz"]);
        File.ReadAllBytes(temp["again.tar.xz"]).ShouldBe(File.ReadAllBytes(temp["p.tar.xz"]));
        Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Order().ToArray().ShouldBe(new[] { "again.tar.xz", "p.tar.xz", "result", "unpacked" }, "no temporary folder is left behind");
    }

    [Fact]
    public async Task Unpacks_a_tarball_made_by_system_tar_and_xz()
    {
        using var temp = new TempFolder();
        PackerTests.MakeResult(temp["result"]);
        var tar = Tools.Run("tar", "-cJf", temp["p.tar.xz"], "-C", temp["result"], ".");
        tar.ExitCode.ShouldBe(0, tar.Error);

        await Unpacker.UnpackAsync(temp["p.tar.xz"], temp["unpacked"]);

        File.ReadAllText(temp["unpacked/a/x"]).ShouldBe("x");
        new FileInfo(temp["unpacked/lib/libx.so"]).LinkTarget.ShouldBe("libx.so.1");
    }

    [Fact]
    public async Task Hard_links_inside_the_package_become_copies()
    {
        using var temp = new TempFolder();
        var tarball = Build(temp["h.tar.xz"],
            FileEntry("./bin/a", "same"),
            Link(TarEntryType.HardLink, "./bin/b", "./bin/a"));

        await Unpacker.UnpackAsync(tarball, temp["unpacked"]);

        File.ReadAllText(temp["unpacked/bin/b"]).ShouldBe("same");
    }

    public static TheoryData<string, TarEntry[]> Escapes => new()
    {
        { "climbs out with \"..\"", [FileEntry("./../outside", "x")] },
        { "climbs out with \"..\"", [FileEntry("./bin/../../outside", "x")] },
        { "has an absolute path", [FileEntry("/tmp/outside", "x")] },
        { "goes through the symlink \"escape\"", [Link(TarEntryType.SymbolicLink, "./escape", "/nonexistent-pkgpanda-test"), FileEntry("./escape/outside", "x")] },
        { "goes through the symlink \"up\"", [Link(TarEntryType.SymbolicLink, "./up", ".."), FileEntry("./up/outside", "x")] },
        { "climbs out with \"..\"", [Link(TarEntryType.HardLink, "./copy", "../outside")] },
        { "not a file unpacked before it", [Link(TarEntryType.HardLink, "./copy", "./missing")] },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task Entries_escaping_the_package_are_refused_and_nothing_is_left(string problem, TarEntry[] entries)
    {
        using var temp = new TempFolder();
        var tarball = Build(temp["evil.tar.xz"], [FileEntry("./fine", "first entry is harmless"), .. entries]);
        Directory.CreateDirectory(temp["sandbox"]);

        var error = await Should.ThrowAsync<BuildError>(() => Unpacker.UnpackAsync(tarball, temp["sandbox/unpacked"]));

        error.Message.ShouldContain(problem);
        error.Message.ShouldContain("evil.tar.xz");
        Directory.GetFileSystemEntries(temp["sandbox"]).ShouldBeEmpty();
        File.Exists(temp["outside"]).ShouldBeFalse();
        File.Exists("/tmp/outside").ShouldBeFalse();
    }

    [Fact]
    public async Task A_refused_unpack_never_changes_a_folder_a_symlink_points_to()
    {
        using var temp = new TempFolder();
        var outside = temp["outside"];
        Directory.CreateDirectory(Path.Combine(outside, "sub"));
        File.SetUnixFileMode(Path.Combine(outside, "sub"), (UnixFileMode)0b111_101_101);
        var tarball = Build(temp["evil.tar.xz"],
            new GnuTarEntry(TarEntryType.Directory, "./inside/") { Mode = (UnixFileMode)0b101_000_000 },
            Link(TarEntryType.SymbolicLink, "./inside/escape", outside),
            FileEntry("./inside/escape/sub/planted", "x"));

        await Should.ThrowAsync<BuildError>(() => Unpacker.UnpackAsync(tarball, temp["unpacked"]));

        File.GetUnixFileMode(Path.Combine(outside, "sub")).ShouldBe((UnixFileMode)0b111_101_101);
        Directory.GetFileSystemEntries(Path.Combine(outside, "sub")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_folder_replaced_by_a_symlink_gets_no_mode_through_it()
    {
        using var temp = new TempFolder();
        var outside = temp["outside"];
        Directory.CreateDirectory(Path.Combine(outside, "b"));
        File.SetUnixFileMode(outside, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(outside, "b"), (UnixFileMode)0b111_101_101);
        var tarball = Build(temp["replace.tar.xz"],
            new GnuTarEntry(TarEntryType.Directory, "./a/") { Mode = (UnixFileMode)0b111_000_000 },
            new GnuTarEntry(TarEntryType.Directory, "./a/b/") { Mode = (UnixFileMode)0b111_000_000 },
            Link(TarEntryType.SymbolicLink, "./a", outside));

        await Unpacker.UnpackAsync(tarball, temp["unpacked"]);

        new FileInfo(temp["unpacked/a"]).LinkTarget.ShouldBe(outside);
        File.GetUnixFileMode(outside).ShouldBe((UnixFileMode)0b111_101_101);
        File.GetUnixFileMode(Path.Combine(outside, "b")).ShouldBe((UnixFileMode)0b111_101_101);
    }

    [Fact]
    public async Task Device_entries_are_refused()
    {
        using var temp = new TempFolder();
        var tarball = Build(temp["dev.tar.xz"], new GnuTarEntry(TarEntryType.CharacterDevice, "./null") { DeviceMajor = 1, DeviceMinor = 3 });

        var error = await Should.ThrowAsync<BuildError>(() => Unpacker.UnpackAsync(tarball, temp["unpacked"]));

        error.Message.ShouldContain("\"./null\" is a CharacterDevice");
    }

    [Fact]
    public async Task An_existing_destination_or_a_broken_tarball_is_a_build_error()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["there"]);
        var tarball = Build(temp["ok.tar.xz"], FileEntry("./a", "a"));
        File.WriteAllBytes(temp["broken.tar.xz"], File.ReadAllBytes(tarball)[..40]);

        (await Should.ThrowAsync<BuildError>(() => Unpacker.UnpackAsync(tarball, temp["there"]))).Message.ShouldContain("already exists");
        (await Should.ThrowAsync<BuildError>(() => Unpacker.UnpackAsync(temp["broken.tar.xz"], temp["x"]))).Message.ShouldContain("not a valid package tarball");
        Directory.Exists(temp["x"]).ShouldBeFalse();
    }

    private static GnuTarEntry FileEntry(string name, string text) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };

    private static GnuTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };

    /// <summary>Hand-made tarballs, because our packer cannot produce a malicious one.</summary>
    private static string Build(string path, params TarEntry[] entries)
    {
        using var file = File.Create(path);
        using var xz = Xz.Compress(file);
        using var tar = new TarWriter(xz, TarEntryFormat.Gnu);
        foreach (var e in entries)
        {
            e.DataStream?.Seek(0, SeekOrigin.Begin);
            tar.WriteEntry(e);
        }
        return path;
    }
}
