namespace Pkgpanda.Targets;

/// <summary>The logger a build class writes through (an instance, so several builds can run in one process).</summary>
public sealed class Log
{
    private readonly IBuildOutput _output;

    /// <summary>The host makes one per run; a build only writes to it.</summary>
    internal Log(IBuildOutput output, Verbosity verbosity = Verbosity.Normal)
    {
        _output = output;
        Verbosity = verbosity;
    }

    public Verbosity Verbosity { get; }
    public bool Verbose => Verbosity >= Verbosity.Verbose;
    public void Debug(string message) { if (Verbose) _output.Log(LogLevel.Debug, message); }
    public void Information(string message) { if (Verbosity >= Verbosity.Normal) _output.Log(LogLevel.Information, message); }
    public void Warning(string message) => _output.Log(LogLevel.Warning, message);
    public void Error(string message) => _output.Log(LogLevel.Error, message);
    internal void Line(string text) => _output.Line(text);
    internal Spectre.Console.IAnsiConsole LiveConsole => _output.LiveConsole;
}
