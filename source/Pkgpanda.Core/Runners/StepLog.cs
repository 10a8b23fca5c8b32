using System.Text;

namespace Pkgpanda.Core.Runners;

/// <summary>
/// A step's output as it arrives, passed on as lines and counted per stream, so that it can be taken up again from the
/// engine's own log: a relay or SSH forward that closes idle connections (socat -T, a proxy's idle timeout) cuts the
/// stream of a step that is silent for a while, and the engine's copy, read once the step has ended, gives the rest.
/// In a <see cref="BeginReplay"/> the bytes already passed on are skipped, stream by stream.
/// </summary>
internal sealed class StepLog(IProgress<string> output)
{
    private readonly LineProgress _lines = new(output);
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly long[] _seen = new long[2];
    private long[]? _skip;
    private char[] _chars = [];

    /// <summary>Bytes of the standard output (<paramref name="error"/> false) or error that arrived.</summary>
    public void Add(bool error, ReadOnlySpan<byte> data)
    {
        var stream = error ? 1 : 0;
        if (_skip is { } skip && skip[stream] > 0)
        {
            var n = (int)Math.Min(skip[stream], data.Length);
            skip[stream] -= n;
            data = data[n..];
        }
        if (data.IsEmpty) return;
        _seen[stream] += data.Length;
        var max = Encoding.UTF8.GetMaxCharCount(data.Length);
        if (_chars.Length < max) _chars = new char[max];
        var count = _decoder.GetChars(data, _chars, flush: false);
        _lines.Report(new string(_chars, 0, count));
    }

    /// <summary>The whole output comes again from the start: what was passed on already is skipped.</summary>
    public void BeginReplay() => _skip = (long[])_seen.Clone();

    /// <summary>A line of our own (what became of the output), after what the step printed.</summary>
    public void Note(string line)
    {
        _lines.Flush();
        output.Report(line);
    }

    /// <summary>The output is complete: a last line without a newline is passed on.</summary>
    public void Flush() => _lines.Flush();
}
