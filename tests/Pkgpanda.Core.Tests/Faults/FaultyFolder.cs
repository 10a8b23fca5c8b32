using System.Diagnostics;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.Core.Tests.Faults;

/// <summary>
/// A test that makes the file system fail for real (mounts a tmpfs, sets the immutable flag) and so needs root.
/// Outside CI a non-root run skips it; with CI=true (CI runs as root) it fails instead, so CI always proves it.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!LocalHost.IsRoot && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "needs root (mount, chattr)";
    }
}

/// <summary>A folder that fails the way real disks do: full, read-only or immutable. Undone on dispose.</summary>
public sealed class FaultyFolder : IDisposable
{
    private readonly Action _undo;

    private FaultyFolder(string path, Action undo)
    {
        Path = path;
        _undo = undo;
    }

    public string Path { get; }

    /// <summary>A tmpfs of <paramref name="kilobytes"/> at <paramref name="path"/>: writing more fails with ENOSPC.</summary>
    public static FaultyFolder Full(string path, int kilobytes) => Mount(path, $"size={kilobytes}k");

    /// <summary>A read-only tmpfs at <paramref name="path"/>: every write fails with EROFS.</summary>
    public static FaultyFolder ReadOnly(string path) => Mount(path, "ro,size=64k");

    /// <summary><paramref name="path"/> with the immutable flag (chattr +i): even root gets EPERM.</summary>
    public static FaultyFolder Immutable(string path)
    {
        Directory.CreateDirectory(path);
        Run("chattr", "+i", path);
        return new FaultyFolder(path, () => Run("chattr", "-i", path));
    }

    private static FaultyFolder Mount(string path, string options)
    {
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        return new FaultyFolder(path, () => Run("umount", "-l", path));
    }

    public static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    public void Dispose() => _undo();
}
