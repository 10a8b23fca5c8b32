using System.Text;
using System.Text.RegularExpressions;

namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A corpus of broken trees and bad command lines, run through ./build.sh as a user runs it. Each case must end in
/// one clear error naming the offending file, field or value, a non-zero exit, no stack trace and no .NET internals,
/// the right target blamed (a mistake in the tree is Resolve's, and Setup does not run), no path named that does
/// not exist, and nothing written to the cache.
/// </summary>
[Collection("docker")]
public class BrokenTreeTests
{
    /// <summary>
    /// One broken input. <c>{root}</c> in arguments and expected text is the packages folder. Exit 2 is a bad command
    /// line (no target runs); exit 1 with <paramref name="Blamed"/> is a failed target.
    /// </summary>
    public sealed record Broken(Action<string> Make, string[] Expected, string[]? Args = null, string? Blamed = "Resolve", int Exit = 1, bool NamesMissingPath = false);

    private static readonly string[] Internals =
    [
        "   at ", "Exception", "LineNumber", "BytePositionInLine", "Change the reader options", "maximum configured depth",
        "This is a bug", "System.", "cannot use '' as",
    ];

    private static readonly Dictionary<string, Broken> Corpus = new()
    {
        // The tree's shape: requires, cycles, selection.
        ["missing_require"] = new(r => Pkg(r, "a", """{"requires": ["nope"]}"""),
            ["{root}/a/buildinfo.json", "\"requires\"[0] = \"nope\"", "there is no package \"nope\""]),
        ["missing_variant_of_a_require"] = new(r => { Pkg(r, "a", """{"requires": [{"name": "b", "variant": "fast"}]}"""); Pkg(r, "b"); },
            ["{root}/a/buildinfo.json", "\"requires\"[0]", "package \"b\" has no variant fast (it has: <default>; there is no fast.buildinfo.json in {root}/b)"]),
        ["cycle"] = new(r => { Pkg(r, "a", """{"requires": ["b"]}"""); Pkg(r, "b", """{"requires": ["c"]}"""); Pkg(r, "c", """{"requires": ["a"]}"""); },
            ["Circular dependency: a -> b -> c -> a", "{root}/c/buildinfo.json"]),
        ["two_variants_of_one_require"] = new(r =>
            {
                Pkg(r, "top", """{"requires": ["x", {"name": "lib", "variant": "fast"}]}""");
                Pkg(r, "x", """{"requires": ["lib"]}""");
                Pkg(r, "lib"); Pkg(r, "lib", "{}", "fast");
            }, ["top depends on two variants of package \"lib\"", "top -> lib (fast)", "top -> x -> lib"]),
        ["requires_itself"] = new(r => Pkg(r, "a", """{"requires": ["a"]}"""), ["Circular dependency: a -> a", "{root}/a/buildinfo.json"]),
        ["require_of_an_excluded_package"] = new(r => { Pkg(r, "a", """{"requires": ["b"]}"""); Pkg(r, "b"); Write(r, "treeinfo.json", """{"exclude": ["b"]}"""); },
            ["{root}/a/buildinfo.json: \"requires\"[0] = \"b\": package \"b\" is excluded by {root}/treeinfo.json, but a requires it."]),
        // Whichever target is asked for, a broken tree is Resolve's failure.
        ["broken_tree_on_fetch"] = new(r => Pkg(r, "a", """{"requires": ["nope"]}"""), ["\"requires\"[0] = \"nope\""], Args: ["--target", "Fetch"]),
        ["broken_tree_on_build"] = new(r => Pkg(r, "a", "{\"requires\": [\"b\",]}"), ["{root}/a/buildinfo.json: malformed JSON at line 1, column 19"], Args: ["--target", "Build"]),
        ["broken_tree_on_pack"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", """{"core_package_list": ["ghost"]}"""); }, ["\"core_package_list\"[0] = \"ghost\""], Args: ["--target", "Pack"]),
        ["unknown_package"] = new(r => Pkg(r, "a"), ["--package zzz: there is no package \"zzz\" in {root}"],
            Args: ["--target", "Hash", "--package", "zzz"]),
        ["unknown_variant"] = new(r => Pkg(r, "a"), ["--package a: package \"a\" has no variant nope (it has: <default>; there is no nope.buildinfo.json in {root}/a)"],
            Args: ["--target", "Hash", "--package", "a", "--variant", "nope"]),
        ["variant_without_package"] = new(r => Pkg(r, "a"), ["--variant fast needs --package"], Args: ["--target", "Hash", "--variant", "fast"], Blamed: null, Exit: 2),
        ["invalid_package_folder_name"] = new(r => Pkg(r, "bad--name"), ["{root}/bad--name: invalid package name \"bad--name\""]),
        ["exact_id_require"] = new(r => { Pkg(r, "a", """{"requires": ["b--1234"]}"""); Pkg(r, "b"); },
            ["\"requires\"[0] = \"b--1234\": an exact package id is not allowed"]),
        ["missing_packages_dir"] = new(_ => { }, ["The packages folder {root}/nope does not exist"],
            Args: ["--target", "Hash", "--packages-dir", "{root}/nope"], NamesMissingPath: true),

        // JSON, told in the user's terms.
        ["malformed_json"] = new(r => Pkg(r, "a", """{"requires": [}"""),
            ["{root}/a/buildinfo.json: malformed JSON at line 1, column 15: expected a value or ']'", "found '}'"]),
        ["trailing_comma_on_line_3"] = new(r => Pkg(r, "a", "{\n  \"requires\": [\"b\"],\n  \"docker\": \"x\",\n}"),
            ["{root}/a/buildinfo.json: malformed JSON at line 4, column 1", "trailing comma is not allowed"]),
        ["unclosed_object"] = new(r => Pkg(r, "a", "{\n  \"requires\": []\n"),
            ["{root}/a/buildinfo.json: malformed JSON at line 3, column 1: the file ends inside the object opened at line 1, column 1"]),
        ["single_quotes"] = new(r => Pkg(r, "a", "{'requires': []}"),
            ["{root}/a/buildinfo.json: malformed JSON at line 1, column 2: expected a key in double quotes or '}'", "(JSON uses double quotes)"]),
        ["comment"] = new(r => Pkg(r, "a", "{\n  // the requires\n  \"requires\": []\n}"),
            ["{root}/a/buildinfo.json: malformed JSON at line 2, column 3"]),
        ["missing_colon"] = new(r => Pkg(r, "a", """{"requires" []}"""),
            ["{root}/a/buildinfo.json: malformed JSON at line 1, column 13: expected ':' after the key \"requires\""]),
        ["raw_newline_in_string"] = new(r => Pkg(r, "a", "{\"docker\": \"dcos\nbuilder\"}"),
            ["{root}/a/buildinfo.json: malformed JSON at line 1, column 17: a raw control character (U+000A) inside a string"]),
        ["non_ascii_column_counts_characters"] = new(r => Pkg(r, "a", "{\"environment\": {\"NAME\": \"Zürich\" \"X\": \"1\"}}"),
            ["{root}/a/buildinfo.json: malformed JSON at line 1, column 35: expected ',' or '}' after a value in an object"]),
        ["too_deep"] = new(r => Pkg(r, "a", "{\"environment\": " + new string('[', 80) + new string(']', 80) + "}"),
            ["{root}/a/buildinfo.json: line 1, column 80: lists and objects are nested more than 64 levels deep"]),
        ["duplicate_key"] = new(r => Pkg(r, "a", "{\n  \"requires\": [],\n  \"requires\": [\"x\"]\n}"),
            ["{root}/a/buildinfo.json: line 3, column 3: the key \"requires\" is given twice (first at line 2, column 3)"]),
        ["duplicate_nested_key"] = new(r => Pkg(r, "a", """{"sources": {"src": {"kind": "url", "url": "http://127.0.0.1/a", "url": "http://127.0.0.1/b", "sha1": "0000000000000000000000000000000000000000"}}}"""),
            ["{root}/a/buildinfo.json: line 1, column 66: the key \"sources\".\"src\".\"url\" is given twice"]),
        ["invalid_utf8"] = new(r => { Directory.CreateDirectory(Path.Combine(r, "a")); File.WriteAllBytes(Path.Combine(r, "a", "buildinfo.json"), [.. "{\"docker\": \"x"u8, 0xFF, .. "\"}"u8]); Script(r, "a", "build"); },
            ["{root}/a/buildinfo.json: line 1, column 14: the file is not valid UTF-8 text here"]),
        ["top_level_list"] = new(r => Pkg(r, "a", "[]"), ["{root}/a/buildinfo.json: the top level must be a JSON object ({...}), found a list."]),
        ["buildinfo_is_a_folder"] = new(r => { Pkg(r, "a"); Directory.CreateDirectory(Path.Combine(r, "b", "buildinfo.json")); Script(r, "b", "build"); },
            ["{root}/b/buildinfo.json: is a folder, not a file"]),
        ["unknown_buildinfo_key"] = new(r => Pkg(r, "a", """{"colour": "blue"}"""), ["{root}/a/buildinfo.json: \"colour\" = \"blue\": unknown key"]),
        // A build script is part of the id: a missing one is the tree's mistake, found by Resolve (the message names
        // the folder where it should be, which exists, and the file, which does not).
        ["missing_build_script"] = new(r => { Pkg(r, "a"); File.Delete(Path.Combine(r, "a", "build")); },
            ["{root}/a/buildinfo.json: \"build_script\" = \"build\"", "the build script {root}/a/build does not exist"], NamesMissingPath: true),
        ["missing_named_build_script"] = new(r => Pkg(r, "a", """{"build_script": "make.sh"}"""),
            ["{root}/a/buildinfo.json: \"build_script\" = \"make.sh\"", "the build script {root}/a/make.sh does not exist"], Args: ["--target", "Build"], NamesMissingPath: true),
        ["environment_value_not_a_string"] = new(r => Pkg(r, "a", """{"environment": {"JOBS": 4}}"""),
            ["{root}/a/buildinfo.json: \"environment\".\"JOBS\" = 4: must be a string."]),

        // Tree variants (treeinfo files).
        ["treeinfo_malformed"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", "{\"exclude\": [\"a\",]}"); },
            ["{root}/treeinfo.json: malformed JSON at line 1, column 18", "trailing comma"]),
        ["treeinfo_duplicate_key"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", "{\"exclude\": [], \"exclude\": [\"a\"]}"); },
            ["{root}/treeinfo.json: line 1, column 17: the key \"exclude\" is given twice"]),
        ["treeinfo_unknown_key"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", """{"packages": ["a"]}"""); },
            ["{root}/treeinfo.json: \"packages\" = a list: unknown key"]),
        ["treeinfo_is_a_folder"] = new(r => { Pkg(r, "a"); Directory.CreateDirectory(Path.Combine(r, "installer.treeinfo.json")); },
            ["{root}/installer.treeinfo.json: is a folder, not a file"]),
        ["core_package_missing"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", """{"core_package_list": ["a", "ghost"]}"""); },
            ["{root}/treeinfo.json: \"core_package_list\"[1] = \"ghost\": the tree needs package \"ghost\", but there is no package \"ghost\" in {root}"]),
        ["bootstrap_package_missing"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", """{"bootstrap_package_list": ["ghost"]}"""); },
            ["{root}/treeinfo.json: \"bootstrap_package_list\"[0] = \"ghost\": the bootstrap bundle needs package \"ghost\""]),
        ["bootstrap_package_outside_the_tree"] = new(r => { Pkg(r, "a"); Pkg(r, "b"); Write(r, "treeinfo.json", """{"core_package_list": ["a"], "bootstrap_package_list": ["b"]}"""); },
            ["{root}/treeinfo.json: \"bootstrap_package_list\"[0] = \"b\": a bootstrap package must be one of the tree's packages"]),
        ["tree_variant_rule"] = new(r => { Pkg(r, "a", """{"requires": ["lib"]}"""); Pkg(r, "lib"); Pkg(r, "lib", "{}", "fast"); Write(r, "treeinfo.json", """{"variants": {"lib": "fast"}}"""); },
            ["{root}/treeinfo.json: package \"lib\" must be variant fast in this tree, but variant <default> is required through a -> lib"]),
        ["treeinfo_variant_that_does_not_exist"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", """{"variants": {"a": "fips"}}"""); },
            ["{root}/treeinfo.json: \"variants\".\"a\" = \"fips\": the tree needs this variant, but package \"a\" has no variant fips"]),
        ["treeinfo_variant_of_a_package_not_in_the_tree"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", """{"variants": {"nope": "fips"}}"""); },
            ["{root}/treeinfo.json: \"variants\".\"nope\" = \"fips\": there is no package \"nope\" in {root}, so this rule applies to nothing"]),
        ["packages_dir_is_a_file"] = new(r => Write(r, "notes.txt", "x"), ["The packages folder {root}/notes.txt is a file, not a folder"],
            Args: ["--target", "Hash", "--packages-dir", "{root}/notes.txt"]),
        ["tree_variant_of_a_plain_store"] = new(r => Pkg(r, "a"), ["--tree-variant installer: {root} has no treeinfo.json", "plain package store"],
            Args: ["--target", "Hash", "--tree-variant", "installer"]),
        ["unknown_tree_variant"] = new(r => { Pkg(r, "a"); Write(r, "treeinfo.json", "{}"); }, ["--tree-variant installer: there is no installer.treeinfo.json in {root}"],
            Args: ["--target", "Hash", "--tree-variant", "installer"], NamesMissingPath: true),

        // Command-line values, refused before any target runs.
        ["parallel_zero"] = new(r => Pkg(r, "a"), ["--parallel 0: must be at least 1"], Args: ["--target", "Build", "--parallel", "0"], Blamed: null, Exit: 2),
        ["parallel_negative"] = new(r => Pkg(r, "a"), ["--parallel -2: must be at least 1"], Args: ["--target", "Build", "--parallel", "-2"], Blamed: null, Exit: 2),
        ["parallel_not_a_number"] = new(r => Pkg(r, "a"), ["--parallel: cannot use 'many' as an integer"], Args: ["--target", "Build", "--parallel", "many"], Blamed: null, Exit: 2),
        ["packages_dir_without_value"] = new(r => Pkg(r, "a"), ["--packages-dir needs a folder."], Args: ["--target", "Hash", "--packages-dir"], Blamed: null, Exit: 2),
        ["packages_dir_empty"] = new(r => Pkg(r, "a"), ["--packages-dir needs a folder"], Args: ["--target", "Hash", "--packages-dir", ""], Blamed: null, Exit: 2),
    };

    public static TheoryData<string> Cases => [.. Corpus.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_broken_input_is_one_clear_error_blamed_on_the_right_target_and_writes_nothing(string name)
    {
        var c = Corpus[name];
        using var tree = ExampleTree.Empty();
        c.Make(tree.Root);
        string Fill(string s) => s.Replace("{root}", tree.Root);
        var args = c.Args?.Select(Fill).ToArray() ?? ["--target", "Hash"];
        // The case's own --packages-dir (or its absence) wins: the command line's last value is the one used.
        var result = await Cli.RunAsync(args.Contains("--packages-dir") ? args : [.. args, "--packages-dir", tree.Root], timeout: TimeSpan.FromMinutes(2));

        result.ExitCode.ShouldBe(c.Exit, result.ToString());
        foreach (var expected in c.Expected) result.Output.ShouldContain(Fill(expected), Case.Sensitive, result.ToString());
        foreach (var text in Internals) result.Output.ShouldNotContain(text, Case.Sensitive, result.ToString());
        Regex.Matches(result.Output, @"\[ERR\]").Count.ShouldBe(1, $"one error, once:\n{result}");
        if (c.Blamed is { } target)
        {
            result.Output.ShouldMatch($@"\n{target}\s+Failed\s", result.ToString());
            // Fetch does not need Setup; every other target here does, and it must not start.
            if (!args.Contains("Fetch")) result.Output.ShouldMatch(@"\nSetup\s+NotRun", result.ToString());
            result.Output.ShouldNotContain("║ Setup", Case.Sensitive, "Setup must not start when the tree is broken");
            result.Output.ShouldMatch(@"\n(Hash|Fetch|Build|Pack)\s+NotRun", result.ToString());
        }
        else result.Output.ShouldNotContain("║ ", Case.Sensitive, "no target runs on a bad command line");
        if (!c.NamesMissingPath)
            foreach (Match m in Regex.Matches(result.Output, Regex.Escape(tree.Root) + @"[^\s:""',;()]*"))
            {
                var path = m.Value.TrimEnd('.');
                (File.Exists(path) || Directory.Exists(path)).ShouldBeTrue($"the message names {path}, which does not exist:\n{result}");
            }
        Directory.Exists(tree.Cache).ShouldBeFalse($"nothing is written to the cache:\n{result}");
    }

    [Fact]
    public async Task A_folder_without_treeinfo_is_a_plain_store_whose_every_variant_is_hashed_and_Pack_says_there_is_no_tree()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "libev"); Pkg(tree.Root, "libev", "{}", "fast");
        Pkg(tree.Root, "app", """{"requires": [{"name": "libev", "variant": "fast"}]}""");
        Pkg(tree.Root, "tool", """{"requires": ["libev"]}""");

        var hash = await Cli.RunAsync(tree.Args("--target", "Hash"));
        hash.ExitCode.ShouldBe(0, hash.ToString());
        foreach (var (package, variant) in new[] { ("libev", "<default>"), ("libev", "fast"), ("app", "<default>"), ("tool", "<default>") })
            hash.Output.ShouldMatch($@"\n{package}\s+{Regex.Escape(variant)}\s+{package}--[0-9a-f]{{40}}\s+no\n", hash.ToString());
        hash.Output.ShouldContain("4 packages: 0 cached, 4 to build.");
        hash.Output.ShouldNotContain("treeinfo.json", Case.Sensitive, "no message names a file that does not exist");
        // The two variants of libev are two packages with two ids.
        Regex.Matches(hash.Output, @"\nlibev\s+\S+\s+(libev--[0-9a-f]{40})").Select(m => m.Groups[1].Value).Distinct().Count().ShouldBe(2);

        var pack = await Cli.RunAsync(tree.Args("--target", "Pack"));
        pack.ExitCode.ShouldBe(1, pack.ToString());
        pack.Output.ShouldContain($"{tree.Root} has no treeinfo.json (nor any <variant>.treeinfo.json): it is a plain package store, so there is no tree variant to pack.");
        pack.Output.ShouldMatch(@"\nBuild\s+Succeeded", pack.ToString());
        pack.Output.ShouldMatch(@"\nPack\s+Failed", pack.ToString());
        pack.Output.ShouldContain("Total: 4 packages: 4 built");
        Directory.Exists(Path.Combine(tree.Cache, "bootstrap")).ShouldBeFalse();
    }

    [Fact]
    public async Task Tables_keep_two_spaces_between_columns_and_counts_are_plural_only_when_plural()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "a");
        var hash = await Cli.RunAsync(tree.Args("--target", "Hash"));
        hash.ExitCode.ShouldBe(0, hash.ToString());
        hash.Output.ShouldMatch(@"\nPACKAGE {2,}VARIANT {2,}ID {2,}CACHED\n", hash.ToString());
        hash.Output.ShouldMatch(@"\na {2,}<default> {2,}a--[0-9a-f]{40} {2,}no\n", hash.ToString());
        hash.Output.ShouldContain("Build order (1 package):");
        hash.Output.ShouldContain("\n1 package: 0 cached, 1 to build.");
    }

    [Fact]
    public async Task A_builder_image_named_by_the_user_that_is_not_there_is_an_error_and_is_not_made_from_busybox()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "a");
        var image = $"pkgpanda-tests/typo-{Guid.NewGuid():N}:1";
        var result = await Cli.RunAsync(tree.Args("--target", "Hash", "--builder-image", image));
        result.ExitCode.ShouldBe(1, result.ToString());
        result.Output.ShouldContain($"--builder-image {image}: there is no such image on ");
        result.Output.ShouldMatch(@"\nSetup\s+Failed", result.ToString());
        result.Output.ShouldNotContain("Created builder image");
        result.Output.ShouldNotContain("   at ");
        var inspect = await Tool.RunAsync("docker", "image", "inspect", image);
        inspect.ExitCode.ShouldNotBe(0, "no image was made under the user's name");
    }

    /// <summary>
    /// A cached tarball whose bytes were damaged while its size and time stayed (a bad disk, a stray dd) passes the
    /// record's quick check. Unpacking it for a dependant finds it: it is moved aside and the next run makes it again;
    /// Publish compares it with its record and uploads nothing.
    /// </summary>
    [Fact]
    public async Task A_damaged_cached_tarball_is_moved_aside_when_found_and_never_published()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "a", script: "#!/bin/sh\nmkdir -p \"$PKG_PATH/lib\"\nseq 1 20000 > \"$PKG_PATH/lib/data\"\n");
        Pkg(tree.Root, "c", """{"requires": ["a"]}""");
        (await Cli.RunAsync(tree.Args("--target", "Build", "--package", "a"))).ExitCode.ShouldBe(0);
        var tarball = Directory.GetFiles(Path.Combine(tree.Cache, "packages", "a"), "a--*.tar.xz").Single();
        void Damage()
        {
            var time = File.GetLastWriteTimeUtc(tarball);
            using (var f = new FileStream(tarball, FileMode.Open, FileAccess.ReadWrite))
            {
                f.Position = f.Length / 2;
                f.Write([0xde, 0xad, 0xbe, 0xef]);
            }
            File.SetLastWriteTimeUtc(tarball, time);
        }
        Damage();
        var repository = Path.Combine(tree.Root, "..", Path.GetFileName(tree.Root) + "-repo");
        try
        {
            var publish = await Cli.RunAsync(tree.Args("--target", "Publish", "--package", "a", "--repository-url", repository));
            publish.ExitCode.ShouldBe(1, publish.ToString());
            publish.Output.ShouldContain($"{tarball} is damaged: its sha256 is ");
            (Directory.Exists(repository) ? Directory.GetFiles(repository, "*.tar.xz", SearchOption.AllDirectories) : []).ShouldBeEmpty("nothing damaged is uploaded");
            File.Exists(tarball + ".corrupt").ShouldBeTrue();

            // Built again, damaged again: now a dependant finds it.
            (await Cli.RunAsync(tree.Args("--target", "Build", "--package", "a"))).ExitCode.ShouldBe(0);
            Damage();
            var build = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "c"));
            build.ExitCode.ShouldBe(1, build.ToString());
            build.Output.ShouldContain($"of its require {Path.GetFileName(tarball)[..^".tar.xz".Length]} is damaged");
            build.Output.ShouldContain("Run the build again");
            build.Output.ShouldNotContain("   at ");
            var again = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "c"));
            again.ExitCode.ShouldBe(0, again.ToString());
            again.Output.ShouldMatch(@"\na\s+Built", again.ToString());
        }
        finally { if (Directory.Exists(repository)) Directory.Delete(repository, true); }
    }

    /// <summary>
    /// The id holds the build script's sha1 from when the run started, and the container reads the script from the package
    /// folder: one edited while its requires build must not be cached under the old id (it was served as the old for ever).
    /// </summary>
    [Fact]
    public async Task A_build_script_edited_during_the_run_is_not_cached_under_the_id_of_the_old_script()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "sleeper", script: "#!/bin/sh\necho sleeping\nsleep 4\nmkdir -p \"$PKG_PATH\"\n");
        Pkg(tree.Root, "d", """{"requires": ["sleeper"]}""", script: "#!/bin/sh\nmkdir -p \"$PKG_PATH\"\necho ORIGINAL > \"$PKG_PATH/which\"\n");
        var hash = await Cli.RunAsync(tree.Args("--target", "Hash", "--package", "d"));
        var oldId = Regex.Match(hash.Output, @"\b(d--[0-9a-f]{40})\b").Groups[1].Value;
        using (var run = new Running(tree.Args("--target", "Build", "--package", "d")))
        {
            await run.WaitForScriptAsync("sleeper", "sleeping");
            File.WriteAllText(Path.Combine(tree.Root, "d", "build"), "#!/bin/sh\nmkdir -p \"$PKG_PATH\"\necho MODIFIED > \"$PKG_PATH/which\"\n");
            (await run.WaitForExitAsync(TimeSpan.FromMinutes(2))).ShouldBe(1, run.Output);
            run.Output.ShouldContain($"the build script {tree.Root}/d/build changed while {oldId} was being built");
        }
        File.Exists(Path.Combine(tree.Cache, "packages", "d", oldId + ".tar.xz")).ShouldBeFalse("nothing is cached under the old script's id");
        var again = await Cli.RunAsync(tree.Args("--target", "Build", "--package", "d"));
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Output.ShouldNotContain(oldId);
    }

    /// <summary>
    /// The gate's last line ends a step ahead of the engine's notice; its mark once sat in the gate's command line, which
    /// a script can read in /proc, so a failing script could print it and count as built.
    /// </summary>
    [Fact]
    public async Task A_script_that_prints_marks_from_the_command_lines_it_can_read_still_fails_with_its_own_exit_code()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "forge", script: "#!/bin/sh\nfor f in /proc/[0-9]*/cmdline; do tr '\\0' '\\n' <\"$f\"; done | grep pkgpanda- | while read -r m; do echo \"$m 0\"; echo \"$m 0\" >&2; done\n" +
                                         "sleep 1\nmkdir -p \"$PKG_PATH\"\nexit 7\n");

        var result = await Cli.RunAsync(tree.Args("--target", "Build"));

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Output.ShouldContain("exited with code 7");
        Directory.GetFiles(Path.Combine(tree.Cache, "packages"), "*.tar.xz", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_script_line_of_megabytes_reaches_the_log_whole_with_what_follows_and_is_cut_on_the_console()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "big", script: "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\necho\necho end-marker\nprintf '\\033[2Jcleared\\n'\nmkdir -p \"$PKG_PATH\"\n");
        var result = await Cli.RunAsync(tree.Args("--target", "Build"));
        result.ExitCode.ShouldBe(0, result.ToString()[..Math.Min(2000, result.ToString().Length)]);
        result.Output.ShouldContain("big | end-marker");
        result.Output.ShouldContain("more characters in the build's log");
        result.Output.Length.ShouldBeLessThan(1_000_000, "the console does not get the whole line");
        System.Text.RegularExpressions.Regex.Matches(result.Output, @"big \| x").Count.ShouldBe(1, "one console line for the line of 3 MB, not one per 64 KiB piece");
        result.Output.ShouldContain("big | cleared");
        result.Output.ShouldNotContain("\u001b[2J", Case.Sensitive, "a script's escape sequences do not reach the console");
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(tree.Cache, "packages", "big"), "*.log").Single());
        log.Count(c => c == 'x').ShouldBe(3_000_000);
        log.ShouldContain("end-marker");
    }

    [Fact]
    public async Task A_build_container_removed_from_outside_is_said_to_be_not_an_exit_code_of_the_script()
    {
        using var tree = ExampleTree.Empty();
        var name = "slow" + Guid.NewGuid().ToString("N")[..8];
        Pkg(tree.Root, name, script: "#!/bin/sh\necho sleeping\nsleep 60\nmkdir -p \"$PKG_PATH\"\n");
        using var run = new Running(tree.Args("--target", "Build"));
        await run.WaitForScriptAsync(name, "sleeping");
        var ids = (await Tool.RunAsync("docker", "ps", "--filter", "label=io.pkgpanda.build", "--format", "{{.ID}} {{.Label \"io.pkgpanda.build\"}}")).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains($" {name}--")).Select(l => l.Split(' ')[0]).ToArray();
        ids.Length.ShouldBe(1, run.Output);
        (await Tool.RunAsync("docker", "rm", "-f", ids[0])).ExitCode.ShouldBe(0);
        (await run.WaitForExitAsync(TimeSpan.FromMinutes(1))).ShouldBe(1, run.Output);
        // docker rm -f kills, then removes: the run may look while the container still exists (stopped) or after (removed).
        run.Output.ShouldMatch(@"was (removed|stopped) from outside the build .* while its build script ran; nothing was built", run.Output);
        run.Output.ShouldNotContain("exited with code 137");
    }

    [Fact]
    public async Task A_failed_build_is_the_error_and_its_skipped_dependants_are_a_warning()
    {
        using var tree = ExampleTree.Empty();
        Pkg(tree.Root, "a", "{}", script: "#!/bin/sh\necho 'no compiler' >&2\nexit 3\n");
        Pkg(tree.Root, "b", """{"requires": ["a"]}""");
        Pkg(tree.Root, "c", """{"requires": ["b"]}""");
        var result = await Cli.RunAsync(tree.Args("--target", "Build"));
        result.ExitCode.ShouldBe(1, result.ToString());
        result.Output.ShouldMatch(@"\nPACKAGE {2,}STATUS {2,}DURATION {2,}DETAIL\n", result.ToString());
        result.Output.ShouldContain("[ERR] 1 package failed to build:");
        result.Output.ShouldNotContain("package(s)");
        result.Output.ShouldMatch(@"\[WRN\] Not built because of the failure \(2 packages\): b, c", result.ToString());
        result.Output.Split('\n').Where(l => l.Contains("[ERR]")).ShouldNotContain(l => l.Contains("b:") || l.Contains("c:"), result.ToString());
        result.Output.ShouldMatch(@"\nBuild\s+Failed", result.ToString());
    }

    private static void Pkg(string root, string name, string buildinfo = "{}", string? variant = null, string script = "#!/bin/sh\nmkdir -p \"$PKG_PATH\"\n")
    {
        var prefix = variant is null ? "" : variant + ".";
        Write(root, $"{name}/{prefix}buildinfo.json", buildinfo);
        Script(root, name, prefix + "build", script);
    }

    private static void Script(string root, string name, string file, string script = "#!/bin/sh\nmkdir -p \"$PKG_PATH\"\n")
    {
        Write(root, $"{name}/{file}", script);
        File.SetUnixFileMode(Path.Combine(root, name, file), (UnixFileMode)Convert.ToInt32("755", 8));
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }
}
