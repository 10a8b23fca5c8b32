namespace Pkgpanda.Targets;

/// <summary>The logger a build class writes through (an instance, so several builds can run in one process).</summary>
public sealed class Log(IBuildOutput output, Verbosity verbosity = Verbosity.Normal)
{
    public Verbosity Verbosity { get; } = verbosity;
    public bool Verbose => Verbosity >= Verbosity.Verbose;
    public void Debug(string message) { if (Verbose) output.Log(LogLevel.Debug, message); }
    public void Information(string message) { if (Verbosity >= Verbosity.Normal) output.Log(LogLevel.Information, message); }
    public void Warning(string message) => output.Log(LogLevel.Warning, message);
    public void Error(string message) => output.Log(LogLevel.Error, message);
}
