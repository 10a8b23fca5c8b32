using System.Text;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>
/// The JSON schema of <c>.nuke/parameters*.json</c> (<c>.nuke/build.schema.json</c>): one property per parameter
/// with its type and description, so editors complete and check parameter files. Rewritten on every run.
/// </summary>
internal static class BuildSchema
{
    public static string Render(IReadOnlyList<ParameterInfo> parameters)
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
            foreach (var p in parameters.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject(p.Name);
                WriteType(json, p.Type);
                if (p.Description is not null) json.WriteString("description", p.Description);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteBoolean("additionalProperties", false);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
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
            json.WriteString("type", "string");
            json.WriteStartArray("enum");
            foreach (var member in Enum.GetNames(u)) json.WriteStringValue(member);
            json.WriteEndArray();
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
