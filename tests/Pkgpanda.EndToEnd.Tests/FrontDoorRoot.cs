namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// A project root of its own (a folder with <c>.nuke/</c> and a copy of the example tree), passed with --root and
/// run from there (a relative --packages-dir is relative to the current directory), so
/// front-door tests keep their --continue state, plan page and generated files out of the repository.
/// </summary>
public sealed class FrontDoorRoot : IDisposable
{
    private readonly ExampleTree _tree = new();

    public FrontDoorRoot() => Directory.CreateDirectory(Path.Combine(Root, ".nuke"));

    public string Root => Path.GetDirectoryName(_tree.Root)!;

    public string Packages => _tree.Root;

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public Task<Cli.Result> RunAsync(params string[] args) =>
        Cli.RunAsync([.. args, "--root", Root, "--packages-dir", "packages"], workingDirectory: Root,
            environment: new Dictionary<string, string> { ["CI"] = "true" });

    public void Dispose() => _tree.Dispose();
}

/// <summary>Real tools a test needs; missing ones fail the test with what to install (CI installs them in .ci/run).</summary>
public static class RequiredTool
{
    public static string Find(string path, string package)
    {
        File.Exists(path).ShouldBeTrue($"{path} is missing: install the Debian package {package} (apt-get install -y {package}).");
        return path;
    }
}
