using LibGit2Sharp;

namespace Pkgpanda.Core.Tests.Sources;

/// <summary>A real (non-bare) git repository made by a test, committed to with LibGit2Sharp.</summary>
public sealed class TestRepo : IDisposable
{
    private static readonly Signature Author = new("Test", "test@example.invalid", DateTimeOffset.UnixEpoch);

    public TestRepo(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Repository.Init(path);
        Repo = new Repository(path);
    }

    public string Path { get; }
    public Repository Repo { get; }
    public string Url => "file://" + Path;

    /// <summary>Writes the files (path -> content) and commits them on the current branch.</summary>
    public string Commit(string message, params (string File, string Content)[] files)
    {
        foreach (var (file, content) in files)
        {
            var full = System.IO.Path.Combine(Path, file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            Commands.Stage(Repo, file);
        }
        return Repo.Commit(message, Author, Author, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    public void Branch(string name, string sha) => Repo.CreateBranch(name, Repo.Lookup<Commit>(sha));

    public void Switch(string branch) => Commands.Checkout(Repo, Repo.Branches[branch]);

    public void Tag(string name, string sha) => Repo.ApplyTag(name, sha, Author, "tag " + name);

    public void Dispose() => Repo.Dispose();
}
