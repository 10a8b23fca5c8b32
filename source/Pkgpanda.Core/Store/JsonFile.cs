using System.Text.Json;

namespace Pkgpanda.Core.Store;

/// <summary>
/// Reads a JSON file the way pkgpanda does (an empty file is <c>{}</c>), strictly (<see cref="StrictJson"/>: no
/// duplicate keys, no comments or trailing commas), with every error naming the file, the line and the column.
/// </summary>
internal static class JsonFile
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static JsonElement ReadObject(string path, string shownAs)
    {
        var bytes = Read(path, shownAs);
        var text = bytes.AsMemory(bytes.AsSpan().StartsWith(Bom) ? Bom.Length : 0);
        if (text.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0) text = "{}"u8.ToArray();
        StrictJson.Check(text.Span, shownAs);
        // The check above accepts only what the parser accepts, so the parser's own messages never show.
        var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = StrictJson.ReaderOptions.MaxDepth });
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new BuildError($"{shownAs}: the top level must be a JSON object ({{...}}), found {Describe(root)}.");
        return root;
    }

    private static byte[] Read(string path, string shownAs)
    {
        if (Directory.Exists(path))
            throw new BuildError($"{shownAs}: is a folder, not a file; it must be a JSON file (an empty file means {{}}).");
        if (DanglingLink(path) is { } target)
            throw new BuildError($"{shownAs}: is a symbolic link to {target}, which does not exist.");
        // Opening a FIFO blocks until someone writes to it: such a file is named, never opened.
        if (FileType.Of(path, followLinks: true) is var kind && FileType.IsSpecial(kind))
            throw new BuildError($"{shownAs}: is {FileType.Describe(kind)}, not a regular file; it must be a JSON file (it is not opened).");
        try { return File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new BuildError($"{shownAs}: does not exist."); }
        catch (DirectoryNotFoundException) { throw new BuildError($"{shownAs}: does not exist."); }
        catch (UnauthorizedAccessException ex) { throw new EnvironmentFault($"{shownAs}: cannot be read: permission denied (the file must be readable by this user).", ex); }
        catch (IOException ex) { throw new EnvironmentFault($"{shownAs}: cannot be read: {ex.Message}", ex); }
    }

    /// <summary>The target of <paramref name="path"/> when it is a symbolic link to nothing.</summary>
    private static string? DanglingLink(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return null;
            return File.ResolveLinkTarget(path, returnFinalTarget: true) is { Exists: true } ? null : info.LinkTarget;
        }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// <paramref name="text"/> as a JSON string, as the serializer writes it (the default encoder), without the
    /// serializer: its reflection set-up costs a run tens of milliseconds, and every tree load names fields.
    /// </summary>
    public static string Quote(string text) => "\"" + JsonEncodedText.Encode(text).ToString() + "\"";

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => Quote(e.GetString()!),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Null => "null",
        _ => e.GetRawText(),
    };
}
