using System.Text;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

public class CodePointComparerTests
{
    /// <summary>Python's order: by code point; .NET decodes a lone surrogate as U+FFFD.</summary>
    private static int Reference(string x, string y)
    {
        var a = x.EnumerateRunes().Select(r => r.Value).ToList();
        var b = y.EnumerateRunes().Select(r => r.Value).ToList();
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Count.CompareTo(b.Count);
    }

    [Fact]
    public void Orders_by_code_point_where_utf16_order_differs()
    {
        // U+1F600 (a surrogate pair) sorts after U+FFFD in Python; UTF-16 code units put it before.
        CodePointComparer.Instance.Compare("a\uD83D\uDE00", "a\uFFFD").ShouldBe(1);
        string.CompareOrdinal("a\uD83D\uDE00", "a\uFFFD").ShouldBeLessThan(0);
        CodePointComparer.Instance.Compare("pkg--abc", "pkg--abd").ShouldBeLessThan(0);
        CodePointComparer.Instance.Compare("pkg", "pkg--abd").ShouldBeLessThan(0);
        CodePointComparer.Instance.Compare("same", "same").ShouldBe(0);
    }

    [Fact]
    public void Agrees_with_a_code_point_walk_on_random_strings_with_surrogates()
    {
        // Pairs that share prefixes, with BMP characters on both sides of the surrogate range, pairs and lone halves.
        char[] alphabet = ['a', 'b', '-', '\uD7FF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uE000', '\uFFFD', '\uFFFF'];
        var random = new Random(11);
        string Make(string prefix)
        {
            var sb = new StringBuilder(prefix);
            for (var n = random.Next(4); n > 0; n--) sb.Append(alphabet[random.Next(alphabet.Length)]);
            return sb.ToString();
        }
        for (var i = 0; i < 20000; i++)
        {
            var prefix = Make("");
            string x = Make(prefix), y = Make(prefix);
            Math.Sign(CodePointComparer.Instance.Compare(x, y)).ShouldBe(Math.Sign(Reference(x, y)), $"{Escape(x)} vs {Escape(y)}");
        }
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 0x80 ? c.ToString() : $"\\u{(int)c:X4}"));
}
