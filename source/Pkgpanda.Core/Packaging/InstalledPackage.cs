using System.Text.Json;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>An unpacked package as activation sees it: its folder and what its pkginfo.json declares.</summary>
internal sealed record InstalledPackage
{
    public required PackageId Id { get; init; }
    public required string Folder { get; init; }
    /// <summary>(name, variant) of each require; variant null for the default.</summary>
    public IReadOnlyList<(string Name, string? Variant)> Requires { get; init; } = [];
    /// <summary>In file order, which is sorted: pkgpanda wrote pkginfo.json with sorted keys.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    /// <summary>service -> setting -> value, as plain JSON values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> Sysctl { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, object?>>();
    public string? Username { get; init; }
    public string? Group { get; init; }
    /// <summary>buildinfo.full.json as plain values; null when the package has none (pkgpanda allowed that).</summary>
    public object? FullBuildInfo { get; init; }

    public string Name => Id.Name;

    public static InstalledPackage Load(PackageId id, string folder)
    {
        var pkginfoPath = Path.Combine(folder, "pkginfo.json");
        if (!File.Exists(pkginfoPath))
            throw new BuildError($"{folder}: package {id} has no pkginfo.json; is it an unpacked package?");
        var pkginfo = JsonFile.ReadObject(pkginfoPath, pkginfoPath);
        var fullPath = Path.Combine(folder, "buildinfo.full.json");
        return new InstalledPackage
        {
            Id = id,
            Folder = folder,
            Requires = Optional(pkginfo, "requires", JsonValueKind.Array, pkginfoPath) is { } requires
                ? requires.EnumerateArray().Select((r, i) => Require(r, $"\"requires\"[{i}]", pkginfoPath)).ToList()
                : [],
            Environment = Optional(pkginfo, "environment", JsonValueKind.Object, pkginfoPath) is { } environment
                ? environment.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, EnvironmentValue(p.Value))).ToList()
                : [],
            Sysctl = Optional(pkginfo, "sysctl", JsonValueKind.Object, pkginfoPath) is { } sysctl
                ? sysctl.EnumerateObject().ToDictionary(
                    service => service.Name,
                    service => service.Value.ValueKind == JsonValueKind.Object
                        ? (IReadOnlyDictionary<string, object?>)service.Value.EnumerateObject().ToDictionary(s => s.Name, s => PlainJson.From(s.Value), StringComparer.Ordinal)
                        : throw new BuildError(pkginfoPath, $"\"sysctl\".\"{service.Name}\"", JsonFile.Describe(service.Value), "expected an object of sysctl settings."),
                    StringComparer.Ordinal)
                : new Dictionary<string, IReadOnlyDictionary<string, object?>>(),
            Username = OptionalString(pkginfo, "username", pkginfoPath),
            Group = OptionalString(pkginfo, "group", pkginfoPath),
            FullBuildInfo = File.Exists(fullPath) ? PlainJson.From(JsonFile.ReadObject(fullPath, fullPath)) : null,
        };
    }

    private static JsonElement? Optional(JsonElement obj, string key, JsonValueKind kind, string file)
    {
        if (!obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != kind)
            throw new BuildError(file, $"\"{key}\"", JsonFile.Describe(value), $"expected {(kind == JsonValueKind.Array ? "a list" : "an object")}.");
        return value;
    }

    private static string? OptionalString(JsonElement obj, string key, string file)
    {
        if (!obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new BuildError(file, $"\"{key}\"", JsonFile.Describe(value), "expected a string.");
    }

    private static (string, string?) Require(JsonElement require, string field, string file)
    {
        if (require.ValueKind == JsonValueKind.String) return (require.GetString()!, null);
        if (require.ValueKind == JsonValueKind.Object && require.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            return (name.GetString()!, require.TryGetProperty("variant", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null);
        throw new BuildError(file, field, JsonFile.Describe(require), "expected a package name or {\"name\": ..., \"variant\": ...}.");
    }

    /// <summary>Written as pkgpanda's str() would: strings bare, numbers as written, booleans True/False.</summary>
    private static string EnvironmentValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "None",
        _ => value.GetRawText(),
    };
}
