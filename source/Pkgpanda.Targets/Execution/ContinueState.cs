using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>
/// What <c>--continue</c> reads: the targets that succeeded in the last attempt of the same invocation (the same
/// arguments, <c>--continue</c> and how the output looks aside). Saved after every success, so a killed or failed
/// run can be resumed.
/// </summary>
internal sealed class ContinueState(string path, string invocation)
{
    /// <summary>Options that change only the output, with or without a value; a rerun may change them and still continue.</summary>
    private static readonly string[] Presentation = ["continue", "verbosity", "nologo", "host"];

    public string Path { get; } = path;

    public static string InvocationOf(IEnumerable<string> args)
    {
        var kept = new List<string>();
        var skippingValues = false;
        foreach (var a in args)
        {
            var option = a.StartsWith('-');
            if (option) skippingValues = Presentation.Contains(Arguments.Normalize(a.Split('=')[0]));
            if (!skippingValues) kept.Add(a);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\0", kept))));
    }

    public HashSet<string> LoadSucceeded()
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path));
            if (doc.RootElement.GetProperty("invocation").GetString() != invocation) return [];
            return doc.RootElement.GetProperty("succeeded").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException) { return []; }
    }

    /// <summary>Written with the JSON writer, not the serializer, whose reflection set-up would cost every run.</summary>
    public void Save(IEnumerable<string> succeeded)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("invocation", invocation);
            json.WriteStartArray("succeeded");
            foreach (var name in succeeded.Distinct()) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        GeneratedFile.WriteAtomically(Path, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public void Clear()
    {
        try { File.Delete(Path); } catch (IOException) { }
    }
}
