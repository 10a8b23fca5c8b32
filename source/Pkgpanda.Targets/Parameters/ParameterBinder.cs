using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>One parameter member of the build class.</summary>
internal sealed record ParameterInfo(MemberInfo Member, string Name, string? Description, Type Type, char Separator = ' ', string? Value = null, bool IsPath = false)
{
    public string Kebab => KebabCase(Name);

    public bool IsArray => (Nullable.GetUnderlyingType(Type) ?? Type).IsArray;

    public bool IsFlag => (Nullable.GetUnderlyingType(Type) ?? Type) == typeof(bool);

    /// <summary><c>PackagesDir</c> -> <c>packages-dir</c>; runs of capitals stay together (<c>CIBuild</c> -> <c>cibuild</c>).</summary>
    public static string KebabCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1]) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>
/// Resolves parameters in NUKE's order: command line, environment (<c>NAME</c> or <c>NUKE_NAME</c>, letters and
/// digits compared), then <c>.nuke/parameters.json</c> and the profiles named by <c>--profile</c>.
/// Path parameters are made absolute where their value was written: the current directory for the command line and
/// the environment (given as <paramref name="workingDirectory"/>), the root for parameter files.
/// </summary>
internal sealed class ParameterBinder(Arguments arguments, IReadOnlyDictionary<string, string> environment, string? rootDirectory,
    string? workingDirectory = null)
{
    /// <summary>
    /// Host options a parameters file may hold too (<see cref="HostOptions"/>; the schema lists them). They are read
    /// from the command line and the files only: an environment variable named TARGET or HOST is too likely unrelated.
    /// </summary>
    public static readonly string[] HostFileOptions = ["Target", "Skip", "Verbosity", "NoLogo", "Host"];

    private List<ParameterFile>? _files;
    private List<Variable>? _environment;
    /// <summary>Where each parameter's value came from, when not the command line.</summary>
    private readonly Dictionary<string, string> _sources = new(StringComparer.Ordinal);

    public static IReadOnlyList<ParameterInfo> Discover(Type buildType)
    {
        var result = new List<ParameterInfo>();
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.FlattenHierarchy;
        for (var t = buildType; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var m in t.GetMembers(flags | BindingFlags.DeclaredOnly))
            {
                if (ParameterOf(m) is not { } attr) continue;
                var type = m switch { FieldInfo f => f.FieldType, PropertyInfo p => p.PropertyType, _ => null };
                if (type is null) continue;
                result.Add(new ParameterInfo(m, attr.Name ?? m.Name, attr.Description, type, attr.Separator, attr.Value, attr.IsPath));
            }
        }
        return result;
    }

    /// <summary>
    /// The member's [Parameter], read from its metadata: instantiating attributes through reflection sets their
    /// properties by emitted invoke stubs, which a run would compile for every parameter.
    /// </summary>
    private static ParameterAttribute? ParameterOf(MemberInfo member)
    {
        foreach (var data in member.CustomAttributes)
        {
            if (data.AttributeType != typeof(ParameterAttribute)) continue;
            var attribute = new ParameterAttribute(data.ConstructorArguments is [{ Value: string description }] ? description : null);
            foreach (var named in data.NamedArguments)
                switch (named.MemberName)
                {
                    case nameof(ParameterAttribute.Name): attribute.Name = (string?)named.TypedValue.Value; break;
                    case nameof(ParameterAttribute.Separator): attribute.Separator = (char)named.TypedValue.Value!; break;
                    case nameof(ParameterAttribute.Value): attribute.Value = (string?)named.TypedValue.Value; break;
                    case nameof(ParameterAttribute.IsPath): attribute.IsPath = (bool)named.TypedValue.Value!; break;
                    default: throw new InvalidOperationException($"[Parameter] has a property {named.MemberName} that ParameterBinder.ParameterOf does not read.");
                }
            return attribute;
        }
        return null;
    }

    public void Bind(object build, IReadOnlyList<ParameterInfo> parameters)
    {
        var files = Files;
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters) known.Add(Arguments.Normalize(p.Name));
        foreach (var name in HostFileOptions) known.Add(Arguments.Normalize(name));
        foreach (var file in files)
            foreach (var value in file.Values)
                if (!known.Contains(value.Normalized))
                    throw new TargetsException($"{file.Path}: \"{value.Key}\" is not a parameter of this build (see .nuke/build.schema.json or --help).");
        foreach (var p in parameters)
        {
            // One value at a time: a second --packages-dir would otherwise be joined to the first, or a bare one dropped.
            if (!p.IsArray && !p.IsFlag && arguments.IsRepeated(p.Name))
                throw new TargetsException($"--{p.Kebab} is given more than once ({string.Join(", ", FromCommandLine(p)!.Select(v => $"'{v}'"))}); give it once.");
            var raw = Absolute(p, FromCommandLine(p) ?? FromEnvironment(p), workingDirectory)
                      ?? Absolute(p, FromFiles(p.Name, files, _sources), rootDirectory);
            if (raw is null) continue;
            if (raw.Count == 0 && !p.IsFlag && !p.IsArray)
                throw new TargetsException($"--{p.Kebab} needs {p.Value ?? Describe(p.Type)}.");
            object? value;
            try { value = Convert(raw, p.Type); }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidCastException)
            {
                // Said where the value came from when the user did not type it (the environment, a parameters file).
                var from = SetBy(p.Name);
                // A flag followed by a word: most likely a target written after the options.
                var hint = p.IsFlag && from.Length == 0 ? $" --{p.Kebab} is a flag (given alone it means true); targets go before the options (e.g. `build.sh {raw[0]} --{p.Kebab}`)." : "";
                throw new TargetsException($"Parameter --{p.Kebab}{from}: cannot use '{string.Join(" ", raw)}' as {Describe(p.Type)}.{hint}");
            }
            switch (p.Member)
            {
                case FieldInfo f: f.SetValue(build, value); break;
                case PropertyInfo prop: prop.SetValue(build, value); break;
            }
        }
    }

    private static IReadOnlyList<string>? Absolute(ParameterInfo p, IReadOnlyList<string>? raw, string? baseDirectory) =>
        raw is null || !p.IsPath || baseDirectory is null ? raw
            : raw.Select(v => v.Length == 0 || v.Contains("://", StringComparison.Ordinal) ? v : Path.GetFullPath(v, baseDirectory)).ToList();

    private IReadOnlyList<string>? FromCommandLine(ParameterInfo p) => arguments.Values(p.Name);

    /// <summary>A host option's value: the command line, else the parameters files (profiles first).</summary>
    /// <summary>", set by the environment variable X" (or a parameters file) when the user did not type the value; else "".</summary>
    public string SetBy(string name) => arguments.Has(name) || !_sources.TryGetValue(name, out var source) ? "" : $", set by {source}";

    public IReadOnlyList<string>? HostValue(string name) => arguments.Values(name) ?? FromFiles(name, Files);

    private List<ParameterFile> Files => _files ??= LoadParameterFiles();

    /// <summary><c>PACKAGES_DIR</c>, <c>PackagesDir</c> or <c>NUKE_PACKAGES_DIR</c>; the unprefixed name wins. Arrays split on the separator.</summary>
    private IReadOnlyList<string>? FromEnvironment(ParameterInfo p)
    {
        var want = Arguments.Normalize(p.Name);
        string? found = null;
        // The environment sorted and normalised once, not once per parameter (plain lists of a class: a run's start-up
        // would otherwise compile LINQ's sorting for a tuple type).
        if (_environment is null)
        {
            _environment = new List<Variable>(environment.Count);
            foreach (var (name, value) in environment) _environment.Add(new Variable(Arguments.Normalize(name), name, value));
            _environment.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        foreach (var v in _environment)
        {
            if (v.Normalized == want) { (found, _sources[p.Name]) = (v.Value, $"the environment variable {v.Name}"); break; }
            if (v.Normalized == "nuke" + want && found is null) (found, _sources[p.Name]) = (v.Value, $"the environment variable {v.Name}");
        }
        if (found is null) return null;
        return p.IsArray ? found.Split(p.Separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [found];
    }

    private static IReadOnlyList<string>? FromFiles(string name, List<ParameterFile> files, Dictionary<string, string>? sources = null)
    {
        var want = Arguments.Normalize(name);
        foreach (var file in files)
            foreach (var value in file.Values)
            {
                if (value.Normalized != want) continue;
                sources?.TryAdd(name, $"{file.Path} (\"{value.Key}\")");
                return value.Values;
            }
        return null;
    }

    /// <summary>Profiles win over the default file, the last profile named first.</summary>
    private List<ParameterFile> LoadParameterFiles()
    {
        var result = new List<ParameterFile>();
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
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new TargetsException($"{path}: expected a JSON object of parameter values.");
                var values = new List<FileValue>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (property.Name == "$schema") continue;
                    if (!seen.Add(property.Name)) throw new TargetsException($"{path}: \"{property.Name}\" is given twice; give it once.");
                    values.Add(FileValue.Of(property));
                }
                result.Add(new ParameterFile(path, values));
            }
            catch (JsonException ex) { throw new TargetsException($"{path}: malformed JSON: {ex.Message}"); }
        }
        return result;
    }

    private sealed record Variable(string Normalized, string Name, string Value);

    private sealed record ParameterFile(string Path, List<FileValue> Values);

    /// <summary>A parameters file's value as the command line would give it: a list's items, a string, else its JSON text.</summary>
    private sealed record FileValue(string Key, string Normalized, IReadOnlyList<string> Values)
    {
        public static FileValue Of(JsonProperty property)
        {
            var value = property.Value;
            List<string> values = [];
            if (value.ValueKind == JsonValueKind.Array)
                foreach (var item in value.EnumerateArray()) values.Add(item.ToString());
            else values.Add(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
            return new FileValue(property.Name, Arguments.Normalize(property.Name), values);
        }
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
