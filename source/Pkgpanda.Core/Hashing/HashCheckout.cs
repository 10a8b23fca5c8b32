using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Hashing;

/// <summary>
/// pkgpanda's <c>hash_checkout</c>: a sha1 over nested strings, integers, booleans, lists and maps.
/// Package versions are this hash, so every rule here (sorting, "True"/"False", joining) must match pkgpanda.
/// </summary>
internal static class HashCheckout
{
    public static string Of(object? value) => Of(value, null);

    /// <param name="known">Strings whose hash is already known (each package's id, hashed once and met again in the
    /// <c>requires</c> of every package above it): looked up instead of hashed again.</param>
    public static string Of(object? value, IReadOnlyDictionary<string, string>? known) => value switch
    {
        string s => known is not null && known.TryGetValue(s, out var hash) ? hash : Str(s),
        // Python's bool is an int whose str() is "True"/"False"; test before the integer cases.
        bool b => Str(b ? "True" : "False"),
        int i => Str(i.ToString(CultureInfo.InvariantCulture)),
        long l => Str(l.ToString(CultureInfo.InvariantCulture)),
        System.Collections.IDictionary d => Dict(d, known),
        System.Collections.IEnumerable e => List(e, known),
        null => throw new ArgumentException("hash_checkout cannot hash null (pkgpanda refuses None)."),
        _ => throw new ArgumentException($"hash_checkout cannot hash a {value.GetType().Name} (pkgpanda hashes only strings, integers, booleans, lists and maps)."),
    };

    public static string Str(string s) => Sha1Hex(Encoding.UTF8.GetBytes(s));

    public static string Sha1Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA1.HashData(bytes));

    private static string Dict(System.Collections.IDictionary d, IReadOnlyDictionary<string, string>? known)
    {
        var keys = d.Keys.Cast<object>().Select(k => k as string ?? throw new ArgumentException("hash_checkout map keys must be strings."))
            .Order(CodePointComparer.Instance);
        return Str(string.Join(",", keys.Select(k => k + "=" + Of(d[k], known))));
    }

    private static string List(System.Collections.IEnumerable e, IReadOnlyDictionary<string, string>? known)
    {
        var items = e.Cast<object?>().ToList();
        items.Sort(PythonOrder.Instance);
        return Str(string.Join(",", items.Select(i => Of(i, known))));
    }

    /// <summary>Python's sort of homogeneous lists: strings by code point, numbers by value, lists lexicographically.</summary>
    private sealed class PythonOrder : IComparer<object?>
    {
        public static readonly PythonOrder Instance = new();

        public int Compare(object? x, object? y)
        {
            switch (x, y)
            {
                case (string a, string b): return CodePointComparer.Instance.Compare(a, b);
                case (bool or int or long, bool or int or long): return ToLong(x).CompareTo(ToLong(y));
                case (System.Collections.IDictionary, _) or (_, System.Collections.IDictionary):
                    throw new ArgumentException("hash_checkout cannot sort a list of maps (pkgpanda raises TypeError).");
                case (System.Collections.IEnumerable a, System.Collections.IEnumerable b):
                    using (var ea = a.Cast<object?>().GetEnumerator())
                    using (var eb = b.Cast<object?>().GetEnumerator())
                    {
                        while (true)
                        {
                            bool ha = ea.MoveNext(), hb = eb.MoveNext();
                            if (!ha || !hb) return ha == hb ? 0 : ha ? 1 : -1;
                            var c = Compare(ea.Current, eb.Current);
                            if (c != 0) return c;
                        }
                    }
                default:
                    throw new ArgumentException($"hash_checkout cannot sort {x?.GetType().Name} with {y?.GetType().Name} (pkgpanda raises TypeError).");
            }
        }

        private static long ToLong(object? v) => v switch { bool b => b ? 1 : 0, int i => i, long l => l, _ => 0 };
    }
}
