using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Sources;

/// <summary>A package tree written by a test: packages/&lt;name&gt;/buildinfo.json plus a build script.</summary>
public sealed class TestTree(string packagesDir)
{
    public string PackagesDir { get; } = packagesDir;

    public string CacheDir => System.IO.Path.Combine(PackagesDir, "cache");

    public TestTree Package(string name, string buildinfo)
    {
        var dir = System.IO.Path.Combine(PackagesDir, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(System.IO.Path.Combine(dir, "buildinfo.json"), buildinfo);
        File.WriteAllText(System.IO.Path.Combine(dir, "build"), "#!/bin/sh\ntrue\n");
        return this;
    }

    /// <summary>A package whose buildinfo holds just these sources (name -> source object).</summary>
    public TestTree WithSources(string name, IReadOnlyDictionary<string, object> sources) =>
        Package(name, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["sources"] = sources }));

    public static Dictionary<string, object> Git(string url, string reference, string origin) =>
        new() { ["kind"] = "git", ["git"] = url, ["ref"] = reference, ["ref_origin"] = origin };

    public static Dictionary<string, object> Url(string url, string? sha1, string? sha256 = null, bool extract = false)
    {
        var d = new Dictionary<string, object> { ["kind"] = extract ? "url_extract" : "url", ["url"] = url };
        if (sha1 is not null) d["sha1"] = sha1;
        if (sha256 is not null) d["sha256"] = sha256;
        return d;
    }

    public PackageStore Load(params string[] extra) => PackageStore.Load(PackagesDir, extra);

    public PackageGraph Graph(params string[] names) =>
        PackageGraph.ForPackages(Load(), names.Select(n => new PackageKey(n, null)));

    public BuildInfo Info(string name) => Load().Get(new PackageKey(name, null));
}
