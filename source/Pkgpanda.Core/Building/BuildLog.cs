namespace Pkgpanda.Core.Building;

/// <summary>
/// A build's log: written under a temporary name while the build runs and renamed into place when it ends,
/// keeping the last lines for the error message.
/// </summary>
internal sealed class BuildLog
{
    private readonly string _path;
    private readonly string _tmp;
    private readonly StreamWriter _writer;
    private readonly Queue<string> _tail = new();
    private readonly int _tailLines;
    private EnvironmentFault? _fault;

    public BuildLog(string path, int tailLines)
    {
        _path = path;
        _tailLines = tailLines;
        // <id>.log.<pid>.tmp: a killed run's log is recognised as a temporary of a dead process and swept (Store.Temporary).
        _tmp = $"{path}.{Environment.ProcessId}.tmp";
        _writer = Store.FileSystemFault.Guard(_tmp, "write the build log", () =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new StreamWriter(_tmp, append: false);
        });
    }

    public IReadOnlyList<string> Tail { get { lock (_tail) return _tail.ToList(); } }

    public void Write(string line)
    {
        lock (_tail)
        {
            // A full disk must not break the container's output stream: the fault is kept and told by Complete.
            if (_fault is null)
                try { _writer.WriteLine(line); }
                catch (Exception ex) when (Store.FileSystemFault.Of(ex, _path, "write the build log") is { } fault) { _fault = fault; }
            _tail.Enqueue(line);
            while (_tail.Count > _tailLines) _tail.Dequeue();
        }
    }

    public void Complete()
    {
        lock (_tail)
        {
            try
            {
                if (_fault is not null) throw _fault;
                Store.FileSystemFault.Guard(_path, "write the build log", () =>
                {
                    _writer.Flush();
                    _writer.Dispose();
                    File.Move(_tmp, _path, overwrite: true);
                });
            }
            catch
            {
                try { _writer.Dispose(); } catch (IOException) { }
                try { File.Delete(_tmp); } catch (IOException) { }
                throw;
            }
        }
    }
}
