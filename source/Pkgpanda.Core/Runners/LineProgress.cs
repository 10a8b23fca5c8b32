namespace Pkgpanda.Core.Runners;

/// <summary>
/// Log chunks arrive in arbitrary pieces; callers want lines. Each chunk is scanned once (a line of megabytes came in
/// thousands of chunks, and copying what was pending for each took minutes), and a line longer than
/// <see cref="MaxLine"/> characters is passed on in pieces of that size, so the log and the console get all of it.
/// </summary>
internal sealed class LineProgress(IProgress<string> lines) : IProgress<string>
{
    public const int MaxLine = Reporting.OutputLine.PieceLength;
    private readonly System.Text.StringBuilder _pending = new();

    public void Report(string value)
    {
        lock (_pending)
        {
            var start = 0;
            for (var nl = value.IndexOf('\n'); nl >= 0; nl = value.IndexOf('\n', start))
            {
                string line;
                if (_pending.Length == 0) line = value[start..nl];
                else
                {
                    line = _pending.Append(value, start, nl - start).ToString();
                    _pending.Clear();
                }
                lines.Report(line.TrimEnd('\r'));
                start = nl + 1;
            }
            _pending.Append(value, start, value.Length - start);
            while (_pending.Length >= MaxLine)
            {
                lines.Report(_pending.ToString(0, MaxLine));
                _pending.Remove(0, MaxLine);
            }
        }
    }

    public void Flush()
    {
        lock (_pending)
        {
            if (_pending.Length > 0) lines.Report(_pending.ToString());
            _pending.Clear();
        }
    }
}
