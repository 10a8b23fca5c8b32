using System.Text.Json;
using System.Text.RegularExpressions;
using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Store;

/// <summary>
/// Parses one buildinfo file strictly: every key, type and value is checked here, so later stages work on
/// typed records and every mistake is reported with its file, field and value.
/// </summary>
internal static partial class BuildInfoLoader
{
    private static readonly string[] AllowedKeys =
    [
        "requires", "single_source", "sources", "docker", "build_script", "environment", "state_directory",
        "username", "group", "sysctl", "version_extra",
    ];

    private static readonly Dictionary<string, string[]> SourceKeys = new()
    {
        ["git"] = ["kind", "git", "ref", "ref_origin"],
        ["git_local"] = ["kind", "rel_path"],
        ["url"] = ["kind", "url", "sha1", "sha256"],
        ["url_extract"] = ["kind", "url", "sha1", "sha256"],
    };

    [GeneratedRegex("^[0-9a-f]{40}$")] private static partial Regex Sha1Regex();
    [GeneratedRegex("^[0-9a-f]{64}$")] private static partial Regex Sha256Regex();
    [GeneratedRegex("^[0-9a-fA-F]{40}$")] private static partial Regex GitRefRegex();
    [GeneratedRegex("^dcos_[a-z0-9_]+$")] private static partial Regex UsernameRegex();
    [GeneratedRegex("^[a-z_][a-z0-9_-]*$")] private static partial Regex GroupRegex();

    public static BuildInfo Load(string file, string shownAs, string packageDir, string name, string? variant)
    {
        var root = JsonFile.ReadObject(file, shownAs);
        var e = new Errors(shownAs);

        foreach (var p in root.EnumerateObject())
        {
            if (p.Name is "name" or "variant")
                throw e.At(Q(p.Name), p.Value, $"not allowed: the {p.Name} is implied by the {(p.Name == "name" ? "folder name" : "file name")}.");
            if (!AllowedKeys.Contains(p.Name))
                throw e.At(Q(p.Name), p.Value, $"unknown key; allowed keys are {string.Join(", ", AllowedKeys)}.");
        }

        var has = (string key) => root.TryGetProperty(key, out _);
        if (has("sources") && has("single_source"))
            throw e.At("\"sources\"", root.GetProperty("sources"), "\"sources\" and \"single_source\" cannot both be given; use one.");

        var sources = new List<SourceSpec>();
        if (root.TryGetProperty("single_source", out var single))
            sources.Add(LoadSource(e, name, single, "\"single_source\""));
        else if (root.TryGetProperty("sources", out var many))
        {
            if (many.ValueKind != JsonValueKind.Object)
                throw e.At("\"sources\"", many, "must be an object mapping source names to sources.");
            foreach (var s in many.EnumerateObject())
            {
                // The name is the source's folder under /pkg/src (and in the cache): one plain folder name, never a path.
                if (s.Name.Length == 0 || s.Name is "." or ".." || s.Name.Contains('/') || s.Name.Contains('\0'))
                    throw new BuildError(e.File, "\"sources\"", Q(s.Name),
                        "a source name is the name of its folder in /pkg/src: it must be one folder name, not empty, \".\", \"..\" or a path with \"/\" in it.");
                if (s.Name == "buildinfo.full.json")
                    throw new BuildError(e.File, "\"sources\"", Q(s.Name),
                        "a source name is the name of its folder in /pkg/src, where the build writes the file buildinfo.full.json: name the source otherwise.");
                sources.Add(LoadSource(e, s.Name, s.Value, $"\"sources\".{Q(s.Name)}"));
            }
        }
        sources.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var requires = new List<Require>();
        if (root.TryGetProperty("requires", out var req))
        {
            if (req.ValueKind != JsonValueKind.Array)
                throw e.At("\"requires\"", req, "must be a list of package names or {\"name\": ..., \"variant\": ...} objects.");
            var i = 0;
            foreach (var r in req.EnumerateArray())
                requires.Add(LoadRequire(e, r, $"\"requires\"[{i++}]"));
        }

        string? docker = null;
        if (root.TryGetProperty("docker", out var dock))
        {
            docker = String(e, dock, "\"docker\"");
            if (docker.Length == 0) throw e.At("\"docker\"", dock, "must name a Docker image.");
            if (!ImageReference.IsValid(docker))
                throw e.At("\"docker\"", dock, "not a Docker image name; write [registry/]name[:tag] in lower case, e.g. \"dcos/dcos-builder:latest\".");
        }

        var buildScript = Variant.Prefix(variant) + "build";
        if (root.TryGetProperty("build_script", out var bs))
        {
            buildScript = String(e, bs, "\"build_script\"");
            if (buildScript.Length == 0 || Path.IsPathRooted(buildScript) || buildScript.Split('/').Contains(".."))
                throw e.At("\"build_script\"", bs, "must be a file name inside the package folder.");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("environment", out var env))
        {
            if (env.ValueKind != JsonValueKind.Object)
                throw e.At("\"environment\"", env, "must be an object of string values.");
            foreach (var p in env.EnumerateObject())
            {
                // Each one becomes a line "export NAME=value" of the environment files activation writes.
                if (!EnvironmentName(p.Name))
                    throw new BuildError(e.File, "\"environment\"", Q(p.Name),
                        "an environment variable's name is letters, digits and underscores, not starting with a digit (it is exported by the activated environment files).");
                if (Packaging.Activation.ReservedVariables.Contains(p.Name))
                    throw new BuildError(e.File, "\"environment\"", Q(p.Name),
                        $"{string.Join(" and ", Packaging.Activation.ReservedVariables)} are set by activation (from every active package's bin/ and lib/); a package cannot set them.");
                var value = String(e, p.Value, $"\"environment\".{Q(p.Name)}");
                if (value.Contains('\n') || value.Contains('\r') || value.Contains('\0'))
                    throw e.At($"\"environment\".{Q(p.Name)}", p.Value, "must be one line: a line break (or NUL) would end the line \"export NAME=value\" of the activated environment files.");
                environment[p.Name] = value;
            }
        }

        var stateDirectory = false;
        if (root.TryGetProperty("state_directory", out var sd))
        {
            if (sd.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw e.At("\"state_directory\"", sd, "must be true or false.");
            stateDirectory = sd.GetBoolean();
        }

        string? username = null;
        if (root.TryGetProperty("username", out var un))
        {
            username = String(e, un, "\"username\"");
            if (!UsernameRegex().IsMatch(username))
                throw e.At("\"username\"", un, "must match ^dcos_[a-z0-9_]+$ (start with dcos_, then a-z, 0-9 and _).");
        }

        string? group = null;
        if (root.TryGetProperty("group", out var gr))
        {
            group = String(e, gr, "\"group\"");
            if (!GroupRegex().IsMatch(group))
                throw e.At("\"group\"", gr, "must match ^[a-z_][a-z0-9_-]*$.");
        }

        Dictionary<string, object?>? sysctl = null;
        if (root.TryGetProperty("sysctl", out var sc))
        {
            if (sc.ValueKind != JsonValueKind.Object)
                throw e.At("\"sysctl\"", sc, "must map service names to objects of sysctl settings.");
            sysctl = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var svc in sc.EnumerateObject())
            {
                if (svc.Value.ValueKind != JsonValueKind.Object)
                    throw e.At($"\"sysctl\".{Q(svc.Name)}", svc.Value, "must be an object of sysctl settings (key -> value).");
                foreach (var kv in svc.Value.EnumerateObject())
                {
                    // pkgpanda hashes whatever it finds; only what hash_checkout cannot hash (null, fractions) is refused.
                    var ok = kv.Value.ValueKind is JsonValueKind.String or JsonValueKind.True or JsonValueKind.False
                             || kv.Value.ValueKind == JsonValueKind.Number && kv.Value.TryGetInt64(out _);
                    if (!ok) throw e.At($"\"sysctl\".{Q(svc.Name)}.{Q(kv.Name)}", kv.Value, "must be a string, an integer or a boolean.");
                }
                sysctl[svc.Name] = PlainJson.From(svc.Value);
            }
        }

        string? versionExtra = null;
        if (root.TryGetProperty("version_extra", out var ve))
        {
            versionExtra = String(e, ve, "\"version_extra\"");
            if (!PackageName.IsValidVersion(versionExtra))
                throw e.At("\"version_extra\"", ve, $"must match {PackageName.VersionPattern}, since it becomes part of the package version.");
            if (PackageName.MaxVersionExtraLength(name) is var room && versionExtra.Length > room)
                throw e.At("\"version_extra\"", ve, $"is too long for the package name \"{name}\" ({name.Length} characters): ids are <name>--<version_extra>-<40 hex>, at most {PackageName.MaxIdLength} characters, so " +
                    (room > 0 ? $"a version_extra here may have at most {room} characters." : "this name leaves no room for a version_extra: give the package a shorter name, or drop it."));
        }

        return new BuildInfo
        {
            Name = name, Variant = variant, File = shownAs, PackageDir = packageDir,
            Requires = requires, Sources = sources, SingleSource = root.TryGetProperty("single_source", out _), Docker = docker, BuildScript = buildScript,
            Environment = environment, StateDirectory = stateDirectory, Username = username, Group = group,
            Sysctl = sysctl, VersionExtra = versionExtra,
        };
    }

    /// <summary>A file holding one source (upstream.json), checked exactly like a buildinfo source.</summary>
    public static SourceSpec LoadSourceFile(string file, string shownAs, string name) =>
        LoadSource(new Errors(shownAs), name, JsonFile.ReadObject(file, shownAs), "$");

    private static Require LoadRequire(Errors e, JsonElement r, string field)
    {
        string name;
        string? variant = null;
        if (r.ValueKind == JsonValueKind.String)
            name = r.GetString()!;
        else if (r.ValueKind == JsonValueKind.Object)
        {
            var keys = Keys(r).ToHashSet();
            if (!keys.SetEquals(["name", "variant"]))
                throw e.At(field, r, "a require given as an object must have exactly the keys \"name\" and \"variant\" (variant null for the default).");
            name = String(e, r.GetProperty("name"), field + ".\"name\"");
            var v = r.GetProperty("variant");
            if (v.ValueKind != JsonValueKind.Null)
                variant = String(e, v, field + ".\"variant\"");
        }
        else
            throw e.At(field, r, "must be a package name or {\"name\": ..., \"variant\": ...}.");

        if (PackageName.LooksLikeId(name))
        {
            var bare = name[..name.IndexOf("--", StringComparison.Ordinal)];
            throw e.At(field, r, $"an exact package id is not allowed; name the package (\"{bare}\") or {{\"name\": \"{bare}\", \"variant\": \"...\"}}.");
        }
        if (!PackageName.IsValid(name))
            throw e.At(field, r, $"invalid package name; names match {PackageName.NamePattern} without \"--\".");
        return new Require(name, variant, PlainJson.From(r)!);
    }

    private static SourceSpec LoadSource(Errors e, string name, JsonElement s, string field)
    {
        if (s.ValueKind != JsonValueKind.Object)
            throw e.At(field, s, "a source must be an object with a \"kind\".");
        if (!s.TryGetProperty("kind", out var kindEl))
            throw e.At(field, s, $"a source needs a \"kind\": one of {string.Join(", ", SourceKeys.Keys)}.");
        var kind = String(e, kindEl, field + ".\"kind\"");
        if (!SourceKeys.TryGetValue(kind, out var allowed))
            throw e.At(field + ".\"kind\"", kindEl, $"unknown source kind; known kinds are {string.Join(", ", SourceKeys.Keys)}.");

        var present = Keys(s);
        foreach (var key in present.Where(k => !allowed.Contains(k)))
            throw e.At($"{field}.{Q(key)}", s.GetProperty(key), $"not a key of a {kind} source; a {kind} source has exactly {Describe(kind)}.");
        var raw = (Dictionary<string, object?>)PlainJson.From(s)!;
        string Need(string key)
        {
            if (!s.TryGetProperty(key, out var v))
                throw e.At(field, s, $"missing {Q(key)}; a {kind} source has exactly {Describe(kind)}.");
            return String(e, v, $"{field}.{Q(key)}");
        }

        switch (kind)
        {
            case "git":
                var reference = Need("ref");
                // pkgpanda accepts any 40 hex digits; the id keeps the ref exactly as written.
                if (!GitRefRegex().IsMatch(reference))
                    throw e.At(field + ".\"ref\"", s.GetProperty("ref"), "must be a full 40-character hex commit sha1 (put the branch or tag in \"ref_origin\").");
                return new GitSource(name, Need("git"), reference, Need("ref_origin"), raw);
            case "git_local":
                var rel = Need("rel_path");
                if (Path.IsPathRooted(rel))
                    throw e.At(field + ".\"rel_path\"", s.GetProperty("rel_path"), "must be relative to the package folder.");
                return new GitLocalSource(name, rel, raw);
            default:
                var url = Need("url");
                // Checked as the downloader takes it, so a url it cannot fetch is refused before any id or build.
                if (!Sources.Downloader.CanDownload(url))
                    throw e.At(field + ".\"url\"", s.GetProperty("url"),
                        "not a url this builder can download: use http://, https:// or file:// (file://relative/path is relative to the package folder, file:///absolute/path is absolute).");
                string? sha1 = s.TryGetProperty("sha1", out _) ? Need("sha1") : null;
                string? sha256 = s.TryGetProperty("sha256", out _) ? Need("sha256") : null;
                if (sha1 is null && sha256 is null)
                    throw e.At(field, s, "missing \"sha1\" (or \"sha256\"): a download must be verified.");
                if (sha1 is not null && !Sha1Regex().IsMatch(sha1))
                    throw e.At(field + ".\"sha1\"", s.GetProperty("sha1"), "must be 40 lowercase hex characters.");
                if (sha256 is not null && !Sha256Regex().IsMatch(sha256))
                    throw e.At(field + ".\"sha256\"", s.GetProperty("sha256"), "must be 64 lowercase hex characters.");
                return new UrlSource(name, url, sha1, sha256, kind == "url_extract", raw);
        }
    }

    private static string Describe(string kind) => kind switch
    {
        "git" => "\"kind\", \"git\" (the repository url), \"ref\" (a commit sha1) and \"ref_origin\" (its branch or tag)",
        "git_local" => "\"kind\" and \"rel_path\"",
        _ => "\"kind\", \"url\" and \"sha1\" and/or \"sha256\"",
    };

    private static string String(Errors e, JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw e.At(field, v, "must be a string.");

    private static string Q(string key) => JsonFile.Quote(key);

    private static bool EnvironmentName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private sealed record Errors(string File)
    {
        public BuildError At(string field, JsonElement found, string problem) =>
            new(File, field, Truncate(JsonFile.Describe(found)), problem);

        private static string Truncate(string s) => s.Length > 120 ? s[..117] + "..." : s;
    }

    /// <summary>An object's keys in order (a plain loop: LINQ over JsonProperty, a struct, is compiled at run time).</summary>
    private static List<string> Keys(JsonElement element)
    {
        var keys = new List<string>();
        foreach (var property in element.EnumerateObject()) keys.Add(property.Name);
        return keys;
    }
}
