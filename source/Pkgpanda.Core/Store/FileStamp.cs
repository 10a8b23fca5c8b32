using System.Runtime.InteropServices;

namespace Pkgpanda.Core.Store;

/// <summary>
/// What git's index compares to tell that a file is unchanged without reading it: size, modification and
/// status-change times (nanoseconds), inode and device. Any write changes the change time (ctime), which no
/// user tool can set back, so a same-size edit with a restored mtime (<c>touch -r</c>) is still seen; a file
/// replaced by a rename has another inode.
/// </summary>
internal readonly record struct FileStamp(long Size, long ModifiedNs, long ChangedNs, ulong Inode, ulong Device)
{
    /// <summary>The stamp of the file <paramref name="path"/> names (links followed), or null when it cannot be had here.</summary>
    public static FileStamp? Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return null; // statx is Linux's; elsewhere every file is simply read again
        try
        {
            var buffer = new StatxBuffer();
            return Statx(AtFdCwd, path, 0, StatxBasicStats, ref buffer) == 0 ? buffer.Stamp : null;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // a C library older than glibc 2.28 has no statx wrapper
        }
    }

    /// <summary>The newest of the two times, in nanoseconds since the epoch.</summary>
    public long NewestNs => Math.Max(ModifiedNs, ChangedNs);

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref StatxBuffer buffer);

    /// <summary>struct statx (linux/stat.h): the same 256 bytes on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSeconds;
        [FieldOffset(104)] public uint CtimeNanoseconds;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;

        public readonly FileStamp Stamp => new((long)Size, MtimeSeconds * 1_000_000_000 + MtimeNanoseconds,
            CtimeSeconds * 1_000_000_000 + CtimeNanoseconds, Inode, ((ulong)DeviceMajor << 32) | DeviceMinor);
    }
}
