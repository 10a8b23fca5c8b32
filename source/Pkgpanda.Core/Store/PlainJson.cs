using System.Text.Json;

namespace Pkgpanda.Core.Store;

/// <summary>
/// Turns JSON into plain values (string, long, bool, double, null, List, Dictionary) so hashing and
/// re-serialising see exactly what the user wrote, in pkgpanda's terms.
/// </summary>
internal static class PlainJson
{
    public static object? From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => element.EnumerateArray().Select(From).ToList(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => From(p.Value), StringComparer.Ordinal),
        _ => throw new ArgumentOutOfRangeException(nameof(element), element.ValueKind, null),
    };

    /// <summary>
    /// pkgpanda's json_prettyprint: keys sorted, two-space indent, no space after ':'. Used for every JSON file
    /// the builder writes, so the bytes match pkgpanda's.
    /// </summary>
    public static string Pretty(object? value)
    {
        var sb = new System.Text.StringBuilder();
        Write(sb, value, 0);
        return sb.ToString();
    }

    private static void Write(System.Text.StringBuilder sb, object? value, int depth)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: sb.Append(Quote(s)); break;
            case int or long: sb.Append(Convert.ToInt64(value).ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)); break;
            case System.Collections.IDictionary dict:
                var keys = dict.Keys.Cast<string>().OrderBy(k => k, CodePointComparer.Instance).ToList();
                if (keys.Count == 0) { sb.Append("{}"); break; }
                sb.Append('{');
                for (var i = 0; i < keys.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2).Append(Quote(keys[i])).Append(':');
                    Write(sb, dict[keys[i]], depth + 1);
                }
                sb.Append('\n').Append(' ', depth * 2).Append('}');
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object?>().ToList();
                if (items.Count == 0) { sb.Append("[]"); break; }
                sb.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    Write(sb, items[i], depth + 1);
                }
                sb.Append('\n').Append(' ', depth * 2).Append(']');
                break;
            default: throw new ArgumentException($"Cannot write {value.GetType()} as JSON");
        }
    }

    /// <summary>Python's json.dumps with ensure_ascii: non-ASCII as \uXXXX escapes.</summary>
    private static string Quote(string s)
    {
        var sb = new System.Text.StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>Python compares strings by code point; ordinal UTF-16 comparison differs above the BMP.</summary>
internal sealed class CodePointComparer : IComparer<string>
{
    public static readonly CodePointComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        // Ordinal where they first differ, unless a surrogate is there (then code points, as Python, and lone surrogates
        // as U+FFFD, as .NET decodes them): the prefix before it decodes the same in both.
        var at = x.AsSpan().CommonPrefixLength(y);
        if (at == x.Length || at == y.Length) return x.Length.CompareTo(y.Length);
        if (!char.IsSurrogate(x[at]) && !char.IsSurrogate(y[at])) return x[at].CompareTo(y[at]);
        var ex = x.EnumerateRunes().GetEnumerator();
        var ey = y.EnumerateRunes().GetEnumerator();
        while (true)
        {
            var hx = ex.MoveNext();
            var hy = ey.MoveNext();
            if (!hx || !hy) return hx == hy ? 0 : hx ? 1 : -1;
            var c = ex.Current.Value.CompareTo(ey.Current.Value);
            if (c != 0) return c;
        }
    }
}
