using System.Net.Sockets;
using Pkgpanda.Core.Hashing;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// A FIFO, socket or device among a package's files is refused by name without being opened: opening a FIFO blocks
/// until a writer comes, so before this the Hash target hung forever on one in extra/.
/// </summary>
public class SpecialFileTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(10);

    private static async Task<BuildError> RefusedAsync(string folder) =>
        await Should.ThrowAsync<BuildError>(Task.Run(() => FolderHash.Of(folder)).WaitAsync(NoHang));

    [Fact]
    public async Task A_fifo_in_extra_is_refused_by_name_and_never_opened()
    {
        using var tree = new TempTree();
        tree.File("pkg/extra/config.txt", "x");
        FaultyFolder.Run("mkfifo", tree.PathOf("pkg/extra/pipe"));

        var error = await RefusedAsync(tree.PathOf("pkg/extra"));

        error.Message.ShouldContain(tree.PathOf("pkg/extra/pipe"));
        error.Message.ShouldContain("a FIFO (named pipe)");
        error.Message.ShouldContain("it was not opened");
    }

    [Fact]
    public async Task A_socket_deep_in_extra_is_refused_by_name()
    {
        using var tree = new TempTree();
        Directory.CreateDirectory(tree.PathOf("pkg/extra/run"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(tree.PathOf("pkg/extra/run/agent.sock")));

        var error = await RefusedAsync(tree.PathOf("pkg/extra"));

        error.Message.ShouldContain(tree.PathOf("pkg/extra/run/agent.sock"));
        error.Message.ShouldContain("a socket");
    }

    [Fact]
    public async Task A_symlink_to_a_device_is_refused_since_reading_it_never_ends()
    {
        using var tree = new TempTree();
        tree.File("pkg/extra/ok.txt", "x");
        File.CreateSymbolicLink(tree.PathOf("pkg/extra/zeros"), "/dev/zero");

        var error = await RefusedAsync(tree.PathOf("pkg/extra"));

        error.Message.ShouldContain(tree.PathOf("pkg/extra/zeros"));
        error.Message.ShouldContain("a symlink to a character device");
    }

    [Fact]
    public async Task A_build_script_that_is_a_fifo_is_refused_when_its_sha1_is_taken()
    {
        using var tree = new TempTree();
        FaultyFolder.Run("mkfifo", tree.PathOf("build"));
        var error = await Should.ThrowAsync<BuildError>(Task.Run(() => FolderHash.FileSha1(tree.PathOf("build"))).WaitAsync(NoHang));
        error.Message.ShouldContain(tree.PathOf("build") + ": is a FIFO");
    }
}
