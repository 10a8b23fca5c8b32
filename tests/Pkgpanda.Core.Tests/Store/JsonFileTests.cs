using System.Text;
using System.Text.Json;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

/// <summary>JSON files are read strictly and every mistake is told as file, line, column (1-based) and what was expected.</summary>
public class JsonFileTests
{
    private static string Refused(string text)
    {
        using var tree = new TempTree().File("x.json", text);
        var ex = Should.Throw<BuildError>(() => JsonFile.ReadObject(tree.PathOf("x.json"), "x.json"));
        foreach (var internals in new[] { "LineNumber", "BytePositionInLine", "Change the reader options", "maximum configured depth", "Path:" })
            ex.Message.ShouldNotContain(internals);
        return ex.Message;
    }

    [Theory]
    [InlineData("{\"a\": }", "x.json: malformed JSON at line 1, column 7: expected a value after ':' (a string in double quotes")]
    [InlineData("{\"a\": 1 \"b\": 2}", "x.json: malformed JSON at line 1, column 9: expected ',' or '}' after a value in an object, found '\"'.")]
    [InlineData("{\"a\": [1 2]}", "x.json: malformed JSON at line 1, column 10: expected ',' or ']' after a value in a list, found '2'.")]
    [InlineData("{\"a\": [1,]}", "x.json: malformed JSON at line 1, column 10: ']' after ',': a trailing comma is not allowed in JSON")]
    [InlineData("{\"a\": 1,\n}", "x.json: malformed JSON at line 2, column 1: '}' after ',': a trailing comma is not allowed in JSON")]
    [InlineData("{\"a\": 1} x", "x.json: malformed JSON at line 1, column 10: unexpected 'x' after the end of the top-level value")]
    [InlineData("{\"a\": tru}", "x.json: malformed JSON at line 1, column 7: expected a value after ':' (a string in double quotes, a number, true, false, null, a list or an object), found 'tru'.")]
    [InlineData("{\"a\": 'b'}", "(JSON strings use double quotes)")]
    [InlineData("{\"a\": 012}", "x.json: malformed JSON at line 1, column 7: invalid number '012'")]
    [InlineData("{\"a\": \"b\\q\"}", "x.json: malformed JSON at line 1, column 10: invalid escape in a string")]
    [InlineData("{\"a\": \"open", "x.json: malformed JSON at line 1, column 7: the string that starts here is not closed")]
    [InlineData("{\"a\": [\n  {\"b\": 1}\n", "x.json: malformed JSON at line 3, column 1: the file ends inside the list opened at line 1, column 7; expected ']' to close it.")]
    [InlineData("{a: 1}", "x.json: malformed JSON at line 1, column 2: expected a key in double quotes or '}', found 'a'.")]
    [InlineData("{\"a\" 1}", "x.json: malformed JSON at line 1, column 6: expected ':' after the key \"a\", found '1'.")]
    [InlineData("/* c */ {}", "x.json: malformed JSON at line 1, column 1: comments are not allowed in JSON.")]
    [InlineData("\"text\"", "x.json: the top level must be a JSON object ({...}), found \"text\".")]
    [InlineData("\n  requires = []", "x.json: malformed JSON at line 2, column 3: expected a JSON object ('{'), found 'requires'.")]
    public void A_syntax_error_names_line_column_and_what_was_expected(string text, string expected) =>
        Refused(text).ShouldContain(expected, Case.Sensitive);

    [Theory]
    [InlineData("{\"a\": \"x\\ud800\"}", "x.json: line 1, column 7: this string holds a \\u escape of half a UTF-16 surrogate pair")]
    [InlineData("{\"a\": 1,\n \"\\udc00\": 2}", "x.json: line 2, column 2: this string holds")]
    [InlineData("{\"requires\": [\"b\", \"\\ud83d\"]}", "x.json: line 1, column 20:")]
    public void Half_a_surrogate_pair_escaped_alone_is_told_where_it_is(string text, string expected) =>
        Refused(text).ShouldContain(expected, Case.Sensitive);

    [Fact]
    public void A_whole_surrogate_pair_is_one_character()
    {
        using var tree = new TempTree().File("x.json", "{\"a\": \"\\ud83d\\ude00\"}");
        JsonFile.ReadObject(tree.PathOf("x.json"), "x.json").GetProperty("a").GetString().ShouldBe("\U0001F600");
    }

    [Fact]
    public void Columns_count_characters_not_bytes() =>
        Refused("{\"é\": \"ü\" 1}").ShouldContain("line 1, column 11:", Case.Sensitive);

    [Theory]
    [InlineData("{\"a\": 1, \"a\": 2}", "x.json: line 1, column 10: the key \"a\" is given twice (first at line 1, column 2)")]
    [InlineData("{\"s\": {\"x\": {\"k\": 1,\n \"k\": 2}}}", "x.json: line 2, column 2: the key \"s\".\"x\".\"k\" is given twice (first at line 1, column 14)")]
    [InlineData("{\"l\": [{}, {\"k\": 1, \"k\": 2}]}", "the key \"l\"[1].\"k\" is given twice")]
    public void A_duplicate_key_at_any_depth_is_refused_naming_it(string text, string expected) =>
        Refused(text).ShouldContain(expected, Case.Sensitive);

    [Fact]
    public void The_same_key_in_two_objects_is_not_a_duplicate()
    {
        using var tree = new TempTree().File("x.json", "{\"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"c\": [{\"k\": 1}, {\"k\": 2}]}");
        JsonFile.ReadObject(tree.PathOf("x.json"), "x.json").GetProperty("b").GetProperty("k").GetInt32().ShouldBe(2);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_in_words()
    {
        Refused("{\"a\": " + new string('[', 100) + new string(']', 100) + "}")
            .ShouldContain("x.json: line 1, column 70: lists and objects are nested more than 64 levels deep", Case.Sensitive);
        using var tree = new TempTree().File("ok.json", "{\"a\": " + new string('[', 63) + new string(']', 63) + "}");
        JsonFile.ReadObject(tree.PathOf("ok.json"), "ok.json").GetProperty("a").ValueKind.ShouldBe(JsonValueKind.Array);
    }

    [Fact]
    public void Invalid_utf8_is_located()
    {
        using var tree = new TempTree();
        File.WriteAllBytes(tree.PathOf("x.json"), [.. "{\n \"a\": \"b"u8, 0xC3, .. "\"}"u8]);
        Should.Throw<BuildError>(() => JsonFile.ReadObject(tree.PathOf("x.json"), "x.json"))
            .Message.ShouldBe("x.json: line 2, column 9: the file is not valid UTF-8 text here; save it as UTF-8.");
    }

    [Fact]
    public void An_empty_file_is_an_empty_object_and_a_byte_order_mark_is_accepted()
    {
        using var tree = new TempTree().File("empty.json", " \n\t");
        JsonFile.ReadObject(tree.PathOf("empty.json"), "empty.json").EnumerateObject().ShouldBeEmpty();
        File.WriteAllBytes(tree.PathOf("bom.json"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"a\": 1}")]);
        JsonFile.ReadObject(tree.PathOf("bom.json"), "bom.json").GetProperty("a").GetInt32().ShouldBe(1);
    }

    [Fact]
    public void A_folder_or_a_dangling_link_is_named_as_such()
    {
        using var tree = new TempTree();
        Directory.CreateDirectory(tree.PathOf("dir.json"));
        Should.Throw<BuildError>(() => JsonFile.ReadObject(tree.PathOf("dir.json"), "dir.json")).Message.ShouldStartWith("dir.json: is a folder, not a file");
        File.CreateSymbolicLink(tree.PathOf("link.json"), tree.PathOf("gone.json"));
        Should.Throw<BuildError>(() => JsonFile.ReadObject(tree.PathOf("link.json"), "link.json")).Message
            .ShouldBe($"link.json: is a symbolic link to {tree.PathOf("gone.json")}, which does not exist.");
    }

    [Fact]
    public void A_fifo_named_buildinfo_json_is_refused_without_being_opened()
    {
        using var tree = new TempTree().Package("a").File("b/build", "");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [tree.PathOf("b/buildinfo.json")])) mkfifo.WaitForExit();
        var ex = Should.Throw<BuildError>(() => Should.CompleteIn(() => PackageStore.Load(tree.Root), TimeSpan.FromSeconds(20)));
        ex.Message.ShouldContain("b/buildinfo.json: is a FIFO (named pipe), not a regular file");
    }

    [Fact]
    public void A_buildinfo_folder_in_a_package_is_reported_not_skipped()
    {
        using var tree = new TempTree().Package("a").File("b/build", "");
        Directory.CreateDirectory(tree.PathOf("b/fips.buildinfo.json"));
        Should.Throw<BuildError>(() => PackageStore.Load(tree.Root)).Message.ShouldContain("b/fips.buildinfo.json: is a folder, not a file");
    }

    [Fact]
    public void Any_damaged_buildinfo_is_read_or_refused_with_a_located_message_never_a_reader_internal()
    {
        const string valid = "{\n  \"requires\": [\"openssl\", {\"name\": \"zlib\", \"variant\": null}],\n  \"single_source\": {\"kind\": \"url\", " +
                             "\"url\": \"https://example.com/a.tar.gz\", \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"},\n" +
                             "  \"environment\": {\"PATH\": \"/opt/bin\", \"N\": \"Zürich\"},\n  \"state_directory\": true, \"sysctl\": {\"s\": {\"k\": 1.5e3}}\n}\n";
        const string alphabet = "{}[]:,\"\\ \n\tatrufensl0123-.eE/'\u00e9";
        var random = new Random(1234);
        using var tree = new TempTree();
        var path = tree.PathOf("x.json");
        for (var round = 0; round < 3000; round++)
        {
            var text = new StringBuilder(valid);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, 1); break;
                    case 1: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: text[at] = alphabet[random.Next(alphabet.Length)]; break;
                }
            }
            File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
            try { JsonFile.ReadObject(path, "x.json"); }
            catch (BuildError ex)
            {
                ex.Message.ShouldStartWith("x.json: ", Case.Sensitive, text.ToString());
                ex.Message.ShouldNotContain("LineNumber", Case.Sensitive, text.ToString());
                ex.Message.ShouldNotContain("BytePositionInLine", Case.Sensitive, text.ToString());
                ex.Message.ShouldNotContain("reader options", Case.Insensitive, text.ToString());
                if (ex.Message.Contains("malformed JSON"))
                    ex.Message.ShouldMatch(@"^x\.json: malformed JSON at line [1-9][0-9]*, column [1-9][0-9]*: \S", text.ToString());
            }
        }
    }

    [Theory]
    [InlineData("sources")]
    [InlineData("a \"quoted\" key\\with\tcontrol\n")]
    [InlineData("<script>&'+`")]
    [InlineData("caf\u00e9 \u2028 \ud83d\ude00")]
    [InlineData("")]
    public void A_field_is_quoted_as_the_serializer_writes_it(string key)
    {
        // Messages name fields as JSON strings; the quoting left the serializer (its set-up cost every run), not its output.
        JsonFile.Quote(key).ShouldBe(JsonSerializer.Serialize(key));
    }
}
