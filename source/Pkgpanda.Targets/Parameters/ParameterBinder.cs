using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>One parameter member of the build class.</summary>
public sealed record ParameterInfo(MemberInfo Member, string Name, string? Description, Type Type)
{
    public string Kebab => string.Concat(Name.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsUpper(Name[i - 1]) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>
/// Resolves parameters in NUKE's order: command line, environment (<c>NAME</c> or <c>NUKE_NAME</c>, letters and
/// digits compared), then <c>.nuke/parameters.json</c> and the profiles named by <c>--profile</c>.
/// </summary>
public sealed class ParameterBinder(Arguments arguments, IReadOnlyDictionary<string, string> environment, string? rootDirectory)
{
    public static IReadOnlyList<ParameterInfo> Discover(Type buildType)
    {
        var result = new List<ParameterInfo>();
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.FlattenHierarchy;
        for (var t = buildType; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var m in t.GetMembers(flags | BindingFlags.DeclaredOnly))
            {
                if (m.GetCustomAttribute<ParameterAttribute>() is not { } attr) continue;
                var type = m switch { FieldInfo f => f.FieldType, PropertyInfo p => p.PropertyType, _ => null };
                if (type is null) continue;
                result.Add(new ParameterInfo(m, attr.Name ?? m.Name, attr.Description, type));
            }
        }
        return result;
    }

    public void Bind(object build, IEnumerable<ParameterInfo> parameters)
    {
        var files = LoadParameterFiles();
        foreach (var p in parameters)
        {
            var raw = FromCommandLine(p) ?? FromEnvironment(p) ?? FromFiles(p, files);
            if (raw is null) continue;
            object? value;
            try { value = Convert(raw, p.Type); }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidCastException)
            {
                throw new TargetsException($"Parameter --{p.Kebab}: cannot use '{string.Join(" ", raw)}' as {Describe(p.Type)}.");
            }
            switch (p.Member)
            {
                case FieldInfo f: f.SetValue(build, value); break;
                case PropertyInfo prop: prop.SetValue(build, value); break;
            }
        }
    }

    private IReadOnlyList<string>? FromCommandLine(ParameterInfo p) => arguments.Values(p.Name);

    private IReadOnlyList<string>? FromEnvironment(ParameterInfo p)
    {
        var want = Arguments.Normalize(p.Name);
        foreach (var (key, value) in environment)
        {
            var k = Arguments.Normalize(key);
            if (k == want || k == "nuke" + want) return [value];
        }
        return null;
    }

    private static IReadOnlyList<string>? FromFiles(ParameterInfo p, List<Dictionary<string, JsonElement>> files)
    {
        var want = Arguments.Normalize(p.Name);
        foreach (var file in files)
            foreach (var (key, value) in file)
                if (Arguments.Normalize(key) == want)
                    return value.ValueKind == JsonValueKind.Array
                        ? value.EnumerateArray().Select(v => v.ToString()).ToList()
                        : [value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()];
        return null;
    }

    /// <summary>Profiles win over the default file, the last profile named first.</summary>
    private List<Dictionary<string, JsonElement>> LoadParameterFiles()
    {
        var result = new List<Dictionary<string, JsonElement>>();
        if (rootDirectory is null) return result;
        var names = (arguments.Values("profile") ?? []).Reverse().Select(p => $"parameters.{p}.json").Append("parameters.json");
        foreach (var name in names)
        {
            var path = Path.Combine(rootDirectory, ".nuke", name);
            if (!File.Exists(path))
            {
                if (name != "parameters.json") throw new TargetsException($"Profile file {path} does not exist.");
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                result.Add(doc.RootElement.EnumerateObject().Where(p => p.Name != "$schema").ToDictionary(p => p.Name, p => p.Value.Clone()));
            }
            catch (JsonException ex) { throw new TargetsException($"{path}: malformed JSON: {ex.Message}"); }
        }
        return result;
    }

    public static object? Convert(IReadOnlyList<string> raw, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool))
            return raw.Count == 0 || bool.Parse(raw[0]);
        if (underlying.IsArray)
        {
            var element = underlying.GetElementType()!;
            var array = Array.CreateInstance(element, raw.Count);
            for (var i = 0; i < raw.Count; i++) array.SetValue(Convert([raw[i]], element), i);
            return array;
        }
        if (raw.Count == 0) throw new FormatException("a value is required");
        var text = string.Join(" ", raw);
        if (underlying == typeof(string)) return text;
        if (underlying.IsEnum) return Enum.Parse(underlying, text.Replace("-", ""), ignoreCase: true);
        return System.Convert.ChangeType(text, underlying, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Describe(Type type)
    {
        var u = Nullable.GetUnderlyingType(type) ?? type;
        if (u.IsArray) return "a list of " + Describe(u.GetElementType()!);
        if (u.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(u));
        return u == typeof(bool) ? "a boolean" : u == typeof(int) || u == typeof(long) ? "an integer" : "a " + u.Name.ToLowerInvariant();
    }
}
