using LibGit2Sharp;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Sources;

namespace Pkgpanda.Core.Tests.Sources;

public sealed class GitLocalFetcherTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestRepo _repo;
    private readonly string _head;
    private readonly TestTree _tree;

    public GitLocalFetcherTests()
    {
        // The package tree lives inside the repository, like dcos-image's package pointing at its own repo.
        _repo = new TestRepo(_dir["project"]);
        _repo.Commit("one", ("a.txt", "v1\n"));
        _tree = new TestTree(_dir["project/packages"]);
        _tree.Package("self", """{"single_source": {"kind": "git_local", "rel_path": "../.."}}""");
        _head = _repo.Commit("tree", ("packages/self/buildinfo.json", File.ReadAllText(_dir["project/packages/self/buildinfo.json"])),
            ("packages/self/build", "#!/bin/sh\ntrue\n"));
    }

    public void Dispose()
    {
        _repo.Dispose();
        _dir.Dispose();
    }

    private ISourceFetcher Fetcher()
    {
        var info = _tree.Info("self");
        return new SourceFetchers(_tree.CacheDir).Create(info, info.Sources[0]);
    }

    [Fact]
    public void A_file_the_build_program_rewrites_itself_does_not_count_as_an_uncommitted_change_and_others_still_do()
    {
        var schema = _dir["project/.nuke/build.schema.json"];
        Directory.CreateDirectory(Path.GetDirectoryName(schema)!);
        File.WriteAllText(schema, "{}\n");
        var head = _repo.Commit("schema", (".nuke/build.schema.json", "{}\n"));
        // A new target: the build program rewrites its schema, after the commit.
        File.WriteAllText(schema, "{\"targets\": [\"Deploy\"]}\n");
        var info = _tree.Info("self");

        Should.Throw<BuildError>(() => new SourceFetchers(_tree.CacheDir).Create(info, info.Sources[0]).GetId())
            .Message.ShouldContain("uncommitted changes to .nuke/build.schema.json");
        var generated = new Pkgpanda.Core.Sources.FetchOptions { GeneratedFiles = [schema] };
        new SourceFetchers(_tree.CacheDir, generated).Create(info, info.Sources[0]).GetId()["commit"].ShouldBe(head);

        File.WriteAllText(_dir["project/a.txt"], "v2\n");
        Should.Throw<BuildError>(() => new SourceFetchers(_tree.CacheDir, generated).Create(info, info.Sources[0]).GetId())
            .Message.ShouldContain("uncommitted changes to a.txt.");
    }

    [Fact]
    public async Task Checkout_is_the_committed_head_not_the_work_tree()
    {
        File.WriteAllText(_dir["project/untracked.txt"], "not committed\n");
        var src = _dir["src"];
        Directory.CreateDirectory(src);

        var fetcher = Fetcher();
        fetcher.GetId()["commit"].ShouldBe(_head);
        (await fetcher.CheckoutAsync(src, null, CancellationToken.None)).ShouldBe(FetchOutcome.Local);

        File.ReadAllText(Path.Combine(src, "a.txt")).ShouldBe("v1\n");
        File.Exists(Path.Combine(src, "untracked.txt")).ShouldBeFalse();
        using var clone = new Repository(src);
        clone.Head.Tip.Sha.ShouldBe(_head);
    }

    [Fact]
    public async Task Checkout_of_a_detached_head_on_no_branch_works()
    {
        var main = _repo.Repo.Head.FriendlyName;
        var detached = _repo.Commit("extra", ("b.txt", "b\n"));
        Commands.Checkout(_repo.Repo, _repo.Repo.Lookup<Commit>(detached), new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
        _repo.Repo.Refs.UpdateTarget(_repo.Repo.Refs[$"refs/heads/{main}"], _head);

        var src = _dir["src"];
        Directory.CreateDirectory(src);
        await Fetcher().CheckoutAsync(src, null, CancellationToken.None);
        File.ReadAllText(Path.Combine(src, "b.txt")).ShouldBe("b\n");
    }

    [Fact]
    public async Task Uncommitted_changes_to_tracked_files_are_refused_with_the_files_and_how_to_commit()
    {
        File.WriteAllText(_dir["project/a.txt"], "edited\n");
        var fetcher = Fetcher();

        var ex = Should.Throw<BuildError>(() => fetcher.GetId());
        ex.Message.ShouldContain("a.txt");
        ex.Message.ShouldContain("commit -am");
        ex.Message.ShouldContain("\"rel_path\"");
        await Should.ThrowAsync<BuildError>(() => fetcher.CheckoutAsync(_dir["project/../src"], null, CancellationToken.None));
        Directory.Exists(_dir["src"]).ShouldBeFalse();
    }

    [Fact]
    public void Absolute_rel_path_is_refused()
    {
        var info = _tree.Info("self");
        var spec = new GitLocalSource("self", _dir["project"], new Dictionary<string, object?>());
        var fetcher = new SourceFetchers(_tree.CacheDir).Create(info, spec);
        Should.Throw<BuildError>(() => fetcher.GetId()).Message.ShouldContain("relative");
    }

    [Fact]
    public void A_folder_that_is_no_repository_is_named_in_the_error()
    {
        _tree.Package("other", """{"single_source": {"kind": "git_local", "rel_path": "../../../elsewhere"}}""");
        Directory.CreateDirectory(_dir["elsewhere"]);
        var info = _tree.Info("other");
        var ex = Should.Throw<BuildError>(() => new SourceFetchers(_tree.CacheDir).Create(info, info.Sources[0]).GetId());
        ex.Message.ShouldContain("not a git repository");
    }
}
