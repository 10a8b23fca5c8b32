using System.Text.Json;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Hashing;

public class HashCheckoutTests
{
    public static IEnumerable<object[]> Vectors()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "hash_checkout.json")));
        var i = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            yield return [i++, c.GetProperty("input").GetRawText(), c.GetProperty("hash_checkout").GetString()!];
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_pkgpanda_reference_vectors(int index, string inputJson, string expected)
    {
        using var doc = JsonDocument.Parse(inputJson);
        HashCheckout.Of(PlainJson.From(doc.RootElement)).ShouldBe(expected, $"vector {index}: {inputJson}");
    }

    [Fact]
    public void Vectors_file_is_the_shared_one_when_present()
    {
        // The fixture is a copy of ../shared/vectors. CI always has shared/ beside the clone, so there it must be
        // found; a developer checkout without it has only the copy to go on.
        var shared = FindUp("shared/vectors/hash_checkout.json");
        if (shared is null)
        {
            (Environment.GetEnvironmentVariable("CI") == "true").ShouldBeFalse("CI runs with shared/ beside the clone, but shared/vectors was not found");
            return;
        }
        File.ReadAllText(shared).ShouldBe(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "hash_checkout.json")));
    }

    [Fact]
    public void Booleans_hash_as_python_text()
    {
        HashCheckout.Of(true).ShouldBe(HashCheckout.Str("True"));
        HashCheckout.Of(false).ShouldBe(HashCheckout.Str("False"));
    }

    [Fact]
    public void Lists_are_sorted_by_code_point_before_hashing()
    {
        // U+FF21 sorts before U+1F600 by code point, but after it in UTF-16 ordinal order.
        var a = "\uFF21";
        var b = char.ConvertFromUtf32(0x1F600);
        HashCheckout.Of(new List<object?> { b, a }).ShouldBe(HashCheckout.Str(HashCheckout.Str(a) + "," + HashCheckout.Str(b)));
    }

    [Fact]
    public void Null_and_floats_are_refused_like_pkgpanda()
    {
        Should.Throw<ArgumentException>(() => HashCheckout.Of(null));
        Should.Throw<ArgumentException>(() => HashCheckout.Of(1.5));
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
