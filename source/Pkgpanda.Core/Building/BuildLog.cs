namespace Pkgpanda.Core.Building;

/// <summary>
/// A build's log: written under a temporary name while the build runs and renamed into place when it ends,
/// keeping the last lines for the error message.
/// </summary>
public sealed class BuildLog
{
    private readonly string _path;
    private readonly string _tmp;
    private readonly StreamWriter _writer;
    private readonly Queue<string> _tail = new();
    private readonly int _tailLines;

    public BuildLog(string path, int tailLines)
    {
        _path = path;
        _tailLines = tailLines;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _tmp = $"{path}.{Environment.ProcessId}.tmp";
        _writer = new StreamWriter(_tmp, append: false);
    }

    public IReadOnlyList<string> Tail { get { lock (_tail) return _tail.ToList(); } }

    public void Write(string line)
    {
        lock (_tail)
        {
            _writer.WriteLine(line);
            _tail.Enqueue(line);
            while (_tail.Count > _tailLines) _tail.Dequeue();
        }
    }

    public void Complete()
    {
        lock (_tail)
        {
            _writer.Flush();
            _writer.Dispose();
            File.Move(_tmp, _path, overwrite: true);
        }
    }
}
