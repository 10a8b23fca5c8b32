using System.Text;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>
/// The JSON schema of <c>.nuke/parameters*.json</c> (<c>.nuke/build.schema.json</c>): one property per parameter
/// with its type and description, and NUKE's host options (<see cref="ParameterBinder.HostFileOptions"/>) with
/// <c>Target</c> and <c>Skip</c> as lists of the build's target names, so editors complete and check parameter
/// files. Rewritten on every run.
/// </summary>
internal static class BuildSchema
{
    public static string Render(IReadOnlyList<ParameterInfo> parameters, IReadOnlyList<string> targets)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
            json.WriteString("title", "Build parameters");
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            json.WriteStartObject("$schema");
            json.WriteString("type", "string");
            json.WriteEndObject();
            var names = targets.Order(StringComparer.Ordinal).ToList();
            var hostOptions = new (string Name, string Description, Action Type)[]
            {
                ("Target", "Targets to run. Default: the build's default target", () => WriteNames(json, names)),
                ("Skip", "Targets to skip; an empty list skips every target that was not invoked", () => WriteNames(json, names)),
                ("Verbosity", "Logging verbosity. Default: Normal", () => WriteEnum(json, Enum.GetNames<Verbosity>())),
                ("NoLogo", "Do not print the logo", () => json.WriteString("type", "boolean")),
                ("Host", "Where the build runs (the flavour of the output). Default: detected", () => WriteEnum(json, Enum.GetNames<HostKind>())),
            };
            var properties = parameters.Select(p => (p.Name, p.Description, Type: (Action)(() => WriteType(json, p.Type))))
                .Concat(hostOptions.Where(o => parameters.All(p => Arguments.Normalize(p.Name) != Arguments.Normalize(o.Name)))
                    .Select(o => (o.Name, Description: (string?)o.Description, o.Type)));
            foreach (var (name, description, type) in properties.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject(name);
                type();
                if (description is not null) json.WriteString("description", description);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteBoolean("additionalProperties", false);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNames(Utf8JsonWriter json, IReadOnlyList<string> targets)
    {
        json.WriteString("type", "array");
        json.WriteStartObject("items");
        WriteEnum(json, targets);
        json.WriteEndObject();
    }

    private static void WriteEnum(Utf8JsonWriter json, IReadOnlyList<string> values)
    {
        json.WriteString("type", "string");
        json.WriteStartArray("enum");
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static void WriteType(Utf8JsonWriter json, Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type) is not null || !type.IsValueType;
        var u = Nullable.GetUnderlyingType(type) ?? type;
        if (u.IsArray)
        {
            json.WriteString("type", "array");
            json.WriteStartObject("items");
            WriteType(json, u.GetElementType()!);
            json.WriteEndObject();
            return;
        }
        if (u.IsEnum)
        {
            WriteEnum(json, Enum.GetNames(u));
            return;
        }
        var name = u == typeof(bool) ? "boolean"
            : u == typeof(int) || u == typeof(long) || u == typeof(short) ? "integer"
            : u == typeof(double) || u == typeof(float) || u == typeof(decimal) ? "number"
            : "string";
        if (nullable && name != "string")
        {
            json.WriteStartArray("type");
            json.WriteStringValue(name);
            json.WriteStringValue("null");
            json.WriteEndArray();
        }
        else json.WriteString("type", name);
    }
}
