using System.Formats.Tar;
using System.Security.Cryptography;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>One build machine's cache folder, filled by a test with package tarballs and tree outputs.</summary>
public sealed class Machine : IDisposable
{
    public Machine() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "pkgpanda-machine-" + Guid.NewGuid().ToString("N"));

    public PackageCache Cache => new(Root);

    /// <summary>A "package": a tarball of one file of <paramref name="size"/> random bytes (a download is read through).</summary>
    public PackageId AddPackage(string name, int size = 4096, string? version = null)
    {
        var bytes = RandomTarball(size);
        var id = new PackageId(name, version ?? Convert.ToHexStringLower(SHA1.HashData(bytes)));
        Write(Cache.PackagePath(id), bytes);
        return id;
    }

    /// <summary>What Pack writes for a tree variant: the bootstrap bundle, its active.json, the two pointers.</summary>
    public string AddTree(string? variant, IReadOnlyList<PackageId> packages)
    {
        var bootstrapId = Convert.ToHexStringLower(SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join(",", packages) + variant)));
        var ids = string.Join(", ", packages.Order().Select(p => $"\"{p}\""));
        Write(Path.Combine(Cache.BootstrapFolder, $"{bootstrapId}.bootstrap.tar.xz"), RandomTarball(8192));
        Write(Path.Combine(Cache.BootstrapFolder, $"{bootstrapId}.active.json"), System.Text.Encoding.UTF8.GetBytes($"[{ids}]"));
        Write(Path.Combine(Cache.BootstrapFolder, $"{Variant.Prefix(variant)}bootstrap.latest"), System.Text.Encoding.UTF8.GetBytes(bootstrapId));
        Write(Path.Combine(Cache.CompleteFolder, $"{Variant.Prefix(variant)}complete.latest.json"),
            System.Text.Encoding.UTF8.GetBytes($"{{\"bootstrap\": \"{bootstrapId}\", \"packages\": [{ids}]}}"));
        return bootstrapId;
    }

    public byte[] Bytes(PackageId id) => File.ReadAllBytes(Cache.PackagePath(id));

    /// <summary>Every file under the cache, so a test can see that nothing (not even a temporary file) was left.</summary>
    public IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    private static byte[] RandomTarball(int size)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data") { DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(size)) });
        using var packed = new MemoryStream();
        using (var xz = Xz.Compress(packed, leaveOpen: true)) tar.WriteTo(xz);
        return packed.ToArray();
    }

    private static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
