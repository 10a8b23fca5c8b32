namespace Pkgpanda.Targets;

internal enum LogLevel { Debug, Information, Warning, Error }

/// <summary>Where the engine and the build's logging go; the host picks a console or CI flavour.</summary>
internal interface IBuildOutput
{
    void TargetStarting(ExecutableTarget target);
    void TargetSkipped(ExecutableTarget target);
    void TargetFailed(ExecutableTarget target, Exception exception);
    void TargetFinished(ExecutableTarget target);
    void Log(LogLevel level, string message);
    /// <summary>A line of a target's result (a table row), as it is.</summary>
    void Line(string text);
    /// <summary>The console a live view renders on; lines written while it shows go above it.</summary>
    Spectre.Console.IAnsiConsole LiveConsole { get; }
    void Summary(IReadOnlyList<ExecutableTarget> plan, bool succeeded, TimeSpan total);
}
