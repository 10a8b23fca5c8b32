using System.Text;

namespace Pkgpanda.Core.Tests;

/// <summary>A package tree in a temporary folder, written file by file by a test and deleted afterwards.</summary>
public sealed class TempTree : IDisposable
{
    public TempTree() : this(null) { }

    /// <param name="folderName">The tree's own folder name (below a unique one), e.g. one with characters a path rarely holds.</param>
    public TempTree(string? folderName)
    {
        _top = Path.Combine(Path.GetTempPath(), "pkgpanda-tests", Guid.NewGuid().ToString("N"));
        Root = folderName is null ? _top : Path.Combine(_top, folderName);
        Directory.CreateDirectory(Root);
    }

    private readonly string _top;

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public TempTree File(string relative, string content, bool executable = false)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
        if (executable) System.IO.File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        return this;
    }

    /// <summary>A package folder with a buildinfo (JSON text) and a trivial build script.</summary>
    public TempTree Package(string name, string buildinfo = "{}", string? variant = null, string script = "#!/bin/sh\nmkdir -p $PKG_PATH\n")
    {
        var prefix = variant is null ? "" : variant + ".";
        File($"{name}/{prefix}buildinfo.json", buildinfo);
        File($"{name}/{prefix}build", script, executable: true);
        return this;
    }

    public void Dispose()
    {
        // As the tool removes its own trees: a test may leave one deeper than a path can be, or with names that are not UTF-8.
        Pkgpanda.Core.Store.FileTree.TryDelete(_top);
    }
}
