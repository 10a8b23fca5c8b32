namespace Pkgpanda.Core.Tests.Sources;

/// <summary>A fresh folder under the system temp folder, removed (read-only git objects included) on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pkgpanda-test-" + Guid.NewGuid().ToString("N"));

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string text)
    {
        var file = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        foreach (var f in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
            try { File.SetAttributes(f, FileAttributes.Normal); } catch (IOException) { }
        foreach (var d in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
            if (!OperatingSystem.IsWindows()) try { File.SetUnixFileMode(d, (UnixFileMode)0x1FF); } catch (IOException) { }
        Directory.Delete(Path, recursive: true);
    }
}
