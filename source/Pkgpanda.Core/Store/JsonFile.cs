using System.Text.Json;

namespace Pkgpanda.Core.Store;

/// <summary>Reads a JSON file the way pkgpanda does (an empty file is <c>{}</c>), with errors naming the file.</summary>
public static class JsonFile
{
    public static JsonElement ReadObject(string path, string shownAs)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException ex) { throw new BuildError($"{shownAs}: cannot be read: {ex.Message}"); }
        catch (UnauthorizedAccessException ex) { throw new BuildError($"{shownAs}: cannot be read: {ex.Message}"); }
        if (string.IsNullOrWhiteSpace(text)) text = "{}";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new BuildError($"{shownAs}: malformed JSON{where}: {FirstSentence(ex.Message)}");
        }
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new BuildError($"{shownAs}: the top level must be a JSON object, found {Describe(root)}.");
        return root;
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => JsonSerializer.Serialize(e.GetString()),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Null => "null",
        _ => e.GetRawText(),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
