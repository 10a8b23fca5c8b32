using System.Runtime.InteropServices;

namespace Pkgpanda.Core.Store;

/// <summary>What kind of file system object a path is, read without opening it (a FIFO blocks whoever opens it).</summary>
internal enum FileKind { Missing, Regular, Directory, Symlink, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// The file type of a path from <c>statx(2)</c>, whose result layout is the same on every Linux architecture (unlike
/// <c>struct stat</c>). .NET exposes no file type beyond "directory" and "link", and opening a path to learn more is
/// exactly what must not happen to a FIFO or a device.
/// </summary>
internal static class FileType
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, u16 mode

    /// <summary>The kind of <paramref name="path"/>; with <paramref name="followLinks"/>, of what a symlink leads to (Missing when it dangles).</summary>
    public static unsafe FileKind Of(string path, bool followLinks = false)
    {
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0) return FileKind.Missing;
        var mode = *(ushort*)(buffer + ModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
    }

    /// <summary>"a FIFO (named pipe)", "a socket", ...: the words for a kind in a message.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Directory => "a folder",
        FileKind.Symlink => "a symlink",
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        _ => "a special file",
    };

    /// <summary>A special file (FIFO, socket, device): reading it blocks or never ends, so nothing may open it.</summary>
    public static bool IsSpecial(FileKind kind) => kind is FileKind.Fifo or FileKind.Socket or FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Other;

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte* buffer);
}
