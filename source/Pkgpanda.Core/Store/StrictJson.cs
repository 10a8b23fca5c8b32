using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Pkgpanda.Core.Store;

/// <summary>
/// Checks the text of a JSON file before it is parsed, so every mistake is told in the user's terms: the line and
/// column (1-based, in characters), what was expected and what was found. Also refuses what a lenient parser
/// accepts silently: a key given twice in one object (at any depth; pkgpanda refuses duplicates), and nesting
/// deeper than <see cref="MaxDepth"/>. The reader's own messages ("LineNumber: 0 | BytePositionInLine") never
/// reach the user.
/// </summary>
internal static class StrictJson
{
    /// <summary>No pkgpanda file needs more than a few levels; deeper nesting is refused in words, not by the reader.</summary>
    public const int MaxDepth = 64;

    /// <summary>Reader options with room above <see cref="MaxDepth"/>, so our own depth check speaks first.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth + 8, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false,
    };

    private sealed class Frame(bool isObject, string path, long openedAt)
    {
        public bool IsObject { get; } = isObject;
        public string Path { get; } = path;
        public long OpenedAt { get; } = openedAt;
        public Dictionary<string, long> Keys { get; } = new(StringComparer.Ordinal);
        public string? Key { get; set; }
        public int Index { get; set; } = -1;
    }

    /// <summary>Throws a <see cref="BuildError"/> naming <paramref name="shownAs"/> when <paramref name="json"/> is not strict JSON.</summary>
    public static void Check(ReadOnlySpan<byte> json, string shownAs)
    {
        CheckUtf8(json, shownAs);
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var frames = new Stack<Frame>();
        var last = JsonTokenType.None;
        long lastEnd = 0;
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (frames.Count >= MaxDepth)
                        throw Error(json, shownAs, reader.TokenStartIndex,
                            $"lists and objects are nested more than {MaxDepth} levels deep here; no pkgpanda file needs that many.", syntax: false);
                    frames.Push(new Frame(token == JsonTokenType.StartObject, ChildPath(frames), reader.TokenStartIndex));
                }
                else if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                    frames.Pop();
                else if (token == JsonTokenType.PropertyName)
                {
                    var frame = frames.Peek();
                    var name = Text(ref reader, json, shownAs);
                    if (frame.Keys.TryGetValue(name, out var first))
                    {
                        var field = (frame.Path.Length == 0 ? "" : frame.Path + ".") + Quote(name);
                        var (line, column) = Position(json, first);
                        throw Error(json, shownAs, reader.TokenStartIndex,
                            $"the key {field} is given twice (first at line {line}, column {column}); a key may appear only once in an object.", syntax: false);
                    }
                    frame.Keys[name] = reader.TokenStartIndex;
                    frame.Key = name;
                }
                else if (frames.TryPeek(out var array) && !array.IsObject)
                    array.Index++;
                if (token == JsonTokenType.String) Text(ref reader, json, shownAs);
                last = token;
                lastEnd = reader.BytesConsumed;
            }
        }
        catch (JsonException ex)
        {
            throw Describe(json, shownAs, frames, last, lastEnd, ex);
        }
    }

    /// <summary>
    /// A string token's text. An escape of half a UTF-16 pair alone (<c>"\ud800"</c>) is valid JSON syntax but no
    /// character, and no later reader could take it: it is told here, where it is.
    /// </summary>
    private static string Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string shownAs)
    {
        try { return reader.GetString()!; }
        catch (InvalidOperationException)
        {
            throw Error(json, shownAs, reader.TokenStartIndex,
                "this string holds a \\u escape of half a UTF-16 surrogate pair (\\ud800-\\udfff) without its other half, which is no character; " +
                "write the character itself or both halves of its pair.", syntax: false);
        }
    }

    /// <summary>The path of the container that starts now, in the form fields are named elsewhere: <c>"sources"."x"[2]</c>.</summary>
    private static string ChildPath(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var parent)) return "";
        if (parent.IsObject) return (parent.Path.Length == 0 ? "" : parent.Path + ".") + Quote(parent.Key ?? "");
        parent.Index++;
        return $"{parent.Path}[{parent.Index}]";
    }

    /// <summary>Works out what was expected from where the reader stopped (after which token, inside what).</summary>
    private static BuildError Describe(ReadOnlySpan<byte> json, string shownAs, Stack<Frame> frames, JsonTokenType last, long lastEnd, JsonException ex)
    {
        var readerAt = ReaderOffset(json, ex);
        var p = SkipSpace(json, lastEnd);
        frames.TryPeek(out var inside);
        var afterValue = last is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False
            or JsonTokenType.Null or JsonTokenType.EndObject or JsonTokenType.EndArray;

        if (p >= json.Length && inside is not null)
        {
            var (line, column) = Position(json, inside.OpenedAt);
            return Error(json, shownAs, json.Length,
                $"the file ends inside {(inside.IsObject ? "the object" : "the list")} opened at line {line}, column {column}; expected '{(inside.IsObject ? '}' : ']')}' to close it.");
        }

        // The reader takes a key and its ':' as one token, so after a key comes its value.
        if (last == JsonTokenType.PropertyName)
            return ValueError(json, shownAs, p < json.Length && json[(int)p] == (byte)':' ? SkipSpace(json, p + 1) : p, readerAt, "expected a value after ':'");
        if (afterValue && inside is null)
            return Error(json, shownAs, p, $"unexpected {Found(json, p)} after the end of the top-level value; a file holds one JSON object.");
        if (afterValue)
        {
            var close = inside!.IsObject ? '}' : ']';
            if (json[(int)p] != (byte)',')
                return Error(json, shownAs, p, $"expected ',' or '{close}' after a value in {(inside.IsObject ? "an object" : "a list")}, found {Found(json, p)}.");
            var next = SkipSpace(json, p + 1);
            if (next < json.Length && json[(int)next] == (byte)close)
                return Error(json, shownAs, next, $"'{close}' after ',': a trailing comma is not allowed in JSON; remove the last ','.");
            if (!inside.IsObject) return ValueError(json, shownAs, next, readerAt, "expected a value after ','");
            return KeyError(json, shownAs, next, readerAt);
        }
        if (last == JsonTokenType.StartObject) return KeyError(json, shownAs, p, readerAt, orClose: true);
        if (last == JsonTokenType.None && p < json.Length && json[(int)p] is not ((byte)'"' or (byte)'/'))
            return Error(json, shownAs, p, $"expected a JSON object ('{{'), found {Found(json, p)}.");
        return ValueError(json, shownAs, p, readerAt, last == JsonTokenType.StartArray ? "expected a value or ']'" : "expected a JSON object ('{')");
    }

    private static BuildError KeyError(ReadOnlySpan<byte> json, string shownAs, long p, long readerAt, bool orClose = false)
    {
        if (p < json.Length && json[(int)p] == (byte)'"')
        {
            // A well-formed key the reader refused: what follows it is not ':'.
            var end = StringEnd(json, p);
            if (end < 0) return StringError(json, shownAs, p, readerAt);
            var colon = SkipSpace(json, end);
            return Error(json, shownAs, colon, $"expected ':' after the key {Encoding.UTF8.GetString(json[(int)p..(int)end])}, found {Found(json, colon)}.");
        }
        var hint = p < json.Length && json[(int)p] == (byte)'\'' ? " (JSON uses double quotes)" : "";
        return Error(json, shownAs, p, $"expected a key in double quotes{(orClose ? " or '}'" : "")}, found {Found(json, p)}{hint}.");
    }

    private static BuildError ValueError(ReadOnlySpan<byte> json, string shownAs, long p, long readerAt, string expected)
    {
        const string kinds = "a string in double quotes, a number, true, false, null, a list or an object";
        if (p >= json.Length) return Error(json, shownAs, p, $"{expected} ({kinds}), found the end of the file.");
        var c = (char)json[(int)p];
        if (c == '"') return StringError(json, shownAs, p, readerAt);
        if (c == '/') return Error(json, shownAs, p, "comments are not allowed in JSON.");
        if (c is '-' or (>= '0' and <= '9'))
            return Error(json, shownAs, p, $"invalid number {Found(json, p)}; numbers are written like 12, -3, 0.5 or 1e6 (no leading zeros, no '+').");
        var hint = c == '\'' ? " (JSON strings use double quotes)" : "";
        return Error(json, shownAs, p, $"{expected} ({kinds}), found {Found(json, p)}{hint}.");
    }

    /// <summary>A string that is not closed, holds a raw control character or a bad escape; the reader knows where.</summary>
    private static BuildError StringError(ReadOnlySpan<byte> json, string shownAs, long start, long at)
    {
        if (at >= json.Length) return Error(json, shownAs, start, "the string that starts here is not closed: the file ends before its closing '\"'.");
        var c = json[(int)at];
        if (c < 0x20)
            return Error(json, shownAs, at, $"a raw control character (U+{c:X4}) inside a string; write it as an escape such as \\n or \\t, and close every string on its own line.");
        if (c == (byte)'\\' || at > 0 && json[(int)at - 1] == (byte)'\\')
            return Error(json, shownAs, at, "invalid escape in a string; the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.");
        return Error(json, shownAs, at, $"invalid text in a string at {Found(json, at)}.");
    }

    /// <summary>The offset just after the string starting at <paramref name="p"/>, or -1 when it is not a valid string.</summary>
    private static long StringEnd(ReadOnlySpan<byte> json, long p)
    {
        for (var i = (int)p + 1; i < json.Length; i++)
        {
            if (json[i] < 0x20) return -1;
            if (json[i] == (byte)'\\') { i++; continue; }
            if (json[i] == (byte)'"') return i + 1;
        }
        return -1;
    }

    private static void CheckUtf8(ReadOnlySpan<byte> json, string shownAs)
    {
        var offset = 0;
        while (offset < json.Length)
        {
            if (Rune.DecodeFromUtf8(json[offset..], out _, out var consumed) != OperationStatus.Done)
                throw Error(json[..offset], shownAs, offset, "the file is not valid UTF-8 text here; save it as UTF-8.", syntax: false);
            offset += consumed;
        }
    }

    private static long ReaderOffset(ReadOnlySpan<byte> json, JsonException ex)
    {
        long line = ex.LineNumber ?? 0, offset = 0;
        for (var i = 0; i < json.Length && line > 0; i++)
            if (json[i] == (byte)'\n') { line--; offset = i + 1; }
        return Math.Min(json.Length, offset + (ex.BytePositionInLine ?? 0));
    }

    private static long SkipSpace(ReadOnlySpan<byte> json, long p)
    {
        while (p < json.Length && json[(int)p] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') p++;
        return p;
    }

    /// <summary>What stands at <paramref name="p"/>: a word up to the next delimiter, or one character, quoted.</summary>
    private static string Found(ReadOnlySpan<byte> json, long p)
    {
        if (p >= json.Length) return "the end of the file";
        var end = (int)p;
        while (end < json.Length && end - p < 20 && json[end] is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'
                   or (byte)',' or (byte)':' or (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)'"'))
            end++;
        if (end == p) end++;
        var text = Encoding.UTF8.GetString(json[(int)p..end]);
        return text.Length == 1 && char.IsControl(text[0]) ? $"U+{(int)text[0]:X4}" : $"'{text}'";
    }

    /// <summary>1-based line and column, counting characters (not bytes), as editors show them.</summary>
    private static (long Line, long Column) Position(ReadOnlySpan<byte> json, long offset)
    {
        offset = Math.Min(offset, json.Length);
        long line = 1, lineStart = 0;
        for (var i = 0; i < offset; i++)
            if (json[i] == (byte)'\n') { line++; lineStart = i + 1; }
        var column = Encoding.UTF8.GetCharCount(json[(int)lineStart..(int)offset]) + 1;
        return (line, column);
    }

    private static BuildError Error(ReadOnlySpan<byte> json, string shownAs, long offset, string problem, bool syntax = true)
    {
        var (line, column) = Position(json, offset);
        return new BuildError($"{shownAs}: {(syntax ? "malformed JSON at " : "")}line {line}, column {column}: {problem}");
    }

    private static string Quote(string key) => JsonFile.Quote(key);
}
