using Pkgpanda.Targets;

namespace Pkgpanda.Targets.Tests;

/// <summary>A build output that keeps the log lines and result lines, in order, and has no live view.</summary>
internal sealed class LinesOutput : IBuildOutput
{
    public List<string> Lines { get; } = [];
    public void TargetStarting(ExecutableTarget target) { }
    public void TargetSkipped(ExecutableTarget target) { }
    public void TargetFailed(ExecutableTarget target, Exception exception) { }
    public void TargetFinished(ExecutableTarget target) { }
    public void Log(LogLevel level, string message) { lock (Lines) Lines.Add(message); }
    public void Line(string text) { lock (Lines) Lines.Add(text); }
    public Spectre.Console.IAnsiConsole LiveConsole => throw new NotSupportedException("no live view in these tests");
    public void Summary(IReadOnlyList<ExecutableTarget> plan, bool succeeded, TimeSpan total) { }
}
