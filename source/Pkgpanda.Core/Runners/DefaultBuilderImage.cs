using System.Diagnostics;
using System.Formats.Tar;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// The default builder image. No registry can be reached, so it is imported from a root filesystem made of
/// the host's static busybox: a shell and the usual tools in about a second.
/// </summary>
public static class DefaultBuilderImage
{
    public const string BusyboxPath = "/bin/busybox";

    /// <summary>The tag pkgpanda builds in by default; the only builder image made when it is missing.</summary>
    public const string Tag = "dcos/dcos-builder:dcos-builder_dockerdir-latest";

    /// <summary>Makes sure <paramref name="tag"/> exists; returns its id and whether it had to be created.</summary>
    public static async Task<(string Id, bool Created)> EnsureAsync(IImageStore docker, string tag, CancellationToken cancellationToken)
    {
        if (await docker.TryGetImageIdAsync(tag, cancellationToken).ConfigureAwait(false) is { } id) return (id, false);
        var busybox = FindStaticBusybox()
                      ?? throw new EnvironmentFault($"Cannot create the builder image {tag}: no static busybox found ({BusyboxPath}). " +
                                              "Install it with `apt-get install busybox-static`, or create an image yourself and use it as the builder image (DefaultBuilderImage.EnsureAsync(tag)).");
        using var rootfs = new MemoryStream();
        await WriteRootfsAsync(busybox, rootfs, cancellationToken).ConfigureAwait(false);
        rootfs.Position = 0;
        return (await docker.ImportImageAsync(rootfs, tag, cancellationToken).ConfigureAwait(false), true);
    }

    public static string? FindStaticBusybox() =>
        new[] { BusyboxPath, "/usr/bin/busybox", "/bin/busybox.static" }.FirstOrDefault(File.Exists);

    /// <summary>A minimal root: busybox with a link per applet, /tmp, /etc/passwd; fixed times so the image id is stable.</summary>
    internal static async Task WriteRootfsAsync(string busybox, Stream destination, CancellationToken cancellationToken)
    {
        var applets = await ListAppletsAsync(busybox, cancellationToken).ConfigureAwait(false);
        var epoch = DateTimeOffset.UnixEpoch;
        await using var tar = new TarWriter(destination, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var dir in new[] { "bin/", "etc/", "tmp/", "root/", "usr/", "usr/bin/", "opt/", "pkg/" })
        {
            var mode = dir == "tmp/" ? (UnixFileMode)Convert.ToInt32("1777", 8) : (UnixFileMode)Convert.ToInt32("755", 8);
            await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.Directory, dir) { Mode = mode, ModificationTime = epoch }, cancellationToken).ConfigureAwait(false);
        }
        await using (var data = File.OpenRead(busybox))
        {
            var entry = new GnuTarEntry(TarEntryType.RegularFile, "bin/busybox")
            {
                Mode = (UnixFileMode)Convert.ToInt32("755", 8), ModificationTime = epoch, DataStream = data,
            };
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        foreach (var applet in applets.Where(a => a != "busybox"))
            await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", ModificationTime = epoch, Mode = (UnixFileMode)Convert.ToInt32("777", 8) }, cancellationToken).ConfigureAwait(false);
        var files = new Dictionary<string, string>
        {
            ["etc/passwd"] = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
            ["etc/group"] = "root:x:0:\nnogroup:x:65534:\n",
        };
        foreach (var (path, text) in files)
        {
            using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
            await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)Convert.ToInt32("644", 8), ModificationTime = epoch, DataStream = content }, cancellationToken).ConfigureAwait(false);
        }
        // /usr/bin/env is where scripts' "#!/usr/bin/env bash"-style lines look; point it at busybox too.
        await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.SymbolicLink, "usr/bin/env") { LinkName = "/bin/busybox", ModificationTime = epoch, Mode = (UnixFileMode)Convert.ToInt32("777", 8) }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<string>> ListAppletsAsync(string busybox, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        var text = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => !a.Contains('/')).Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
