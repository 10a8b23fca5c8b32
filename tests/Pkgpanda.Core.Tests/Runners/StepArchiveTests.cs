using System.Formats.Tar;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.Core.Tests.Runners;

/// <summary>Files that travel as tar streams come back as they went: the packer cannot tell them from the original.</summary>
public class StepArchiveTests
{
    private static string Result(TempTree tree)
    {
        tree.File("result/bin/tool", "#!/bin/sh\necho hi\n", executable: true)
            .File("result/lib/a.txt", "a\n")
            .File("result/.hidden", "dot files stay\n")
            .File("result/pkginfo.json", "{}");
        Directory.CreateDirectory(tree.PathOf("result/empty"));
        File.SetUnixFileMode(tree.PathOf("result/lib/a.txt"), (UnixFileMode)Convert.ToInt32("640", 8));
        File.CreateSymbolicLink(tree.PathOf("result/lib/link"), "../bin/tool");
        File.CreateSymbolicLink(tree.PathOf("result/abs"), "/opt/mesosphere/bin/tool");
        return tree.PathOf("result");
    }

    [Fact]
    public async Task A_folder_sent_and_received_packs_to_the_same_bytes()
    {
        using var tree = new TempTree();
        var result = Result(tree);
        using var archive = new MemoryStream();
        // What the engine returns for GET /containers/{id}/archive?path=/opt/mesosphere/packages/x: entries under "x/".
        await StepArchive.WriteAsync([(result, "/x")], archive, CancellationToken.None);
        archive.Position = 0;
        var back = tree.PathOf("back");
        await StepArchive.ExtractAsync(archive, back, CancellationToken.None);

        await Packer.PackAsync(result, tree.PathOf("a.tar.xz"));
        await Packer.PackAsync(back, tree.PathOf("b.tar.xz"));
        File.ReadAllBytes(tree.PathOf("b.tar.xz")).ShouldBe(File.ReadAllBytes(tree.PathOf("a.tar.xz")));
        new FileInfo(Path.Combine(back, "lib/link")).LinkTarget.ShouldBe("../bin/tool");
        File.GetUnixFileMode(Path.Combine(back, "lib/a.txt")).ShouldBe((UnixFileMode)Convert.ToInt32("640", 8));
    }

    [Fact]
    public async Task Inputs_are_written_under_their_container_paths_with_parent_folders()
    {
        using var tree = new TempTree();
        var result = Result(tree);
        using var archive = new MemoryStream();
        await StepArchive.WriteAsync([(result, "/opt/mesosphere/packages/x--1")], archive, CancellationToken.None);
        archive.Position = 0;
        var names = new List<string>();
        using (var reader = new TarReader(archive))
            while (reader.GetNextEntry() is { } e) names.Add(e.Name);
        names.Take(4).ShouldBe(["opt/", "opt/mesosphere/", "opt/mesosphere/packages/", "opt/mesosphere/packages/x--1/"]);
        names.ShouldContain("opt/mesosphere/packages/x--1/lib/link");
    }

    [Fact]
    public async Task An_archive_entry_that_leaves_the_folder_is_refused()
    {
        using var tree = new TempTree();
        foreach (var (first, second) in new[] { ("x/../../escape", (string?)null), ("x/link", "x/link/passwd") })
        {
            using var archive = new MemoryStream();
            using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "x/"));
                if (second is null) writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, first));
                else
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, first) { LinkName = tree.Root });
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, second));
                }
            }
            archive.Position = 0;
            var target = tree.PathOf("t" + Guid.NewGuid().ToString("N"));
            await Should.ThrowAsync<EnvironmentFault>(() => StepArchive.ExtractAsync(archive, target, CancellationToken.None));
            File.Exists(tree.PathOf("passwd")).ShouldBeFalse();
            File.Exists(Path.Combine(Path.GetDirectoryName(tree.Root)!, "escape")).ShouldBeFalse();
        }
    }

    /// <summary>The result the engine sends back is written to our disk: a full one is a fault naming the folder, not our bug.</summary>
    [Faults.RootFact]
    public async Task A_result_that_does_not_fit_on_our_disk_is_a_fault_naming_the_folder()
    {
        using var tree = new TempTree();
        tree.File("result/big.bin", new string('x', 512 * 1024));
        using var archive = new MemoryStream();
        await StepArchive.WriteAsync([(tree.PathOf("result"), "/x")], archive, CancellationToken.None);
        archive.Position = 0;
        Directory.CreateDirectory(tree.PathOf("small"));
        using var full = Faults.FaultyFolder.Full(tree.PathOf("small"), 256);
        var fault = await Should.ThrowAsync<EnvironmentFault>(() => StepArchive.ExtractAsync(archive, tree.PathOf("small/back"), CancellationToken.None));
        fault.Message.ShouldContain("small/back: cannot write the result the engine sent back: no space left on the device");
    }
}
