using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>
/// NUKE-like console output: the logo, a header per target, <c>HH:mm:ss [INF]</c> lines, the summary table. On GitHub
/// Actions targets are folded into groups and errors become annotations. Below <see cref="Verbosity.Minimal"/> only
/// warnings, errors and the summary are shown (the build's <see cref="Targets.Log"/> drops information and debug lines).
/// </summary>
internal sealed class ConsoleOutput(Terminal console, Func<Exception, bool> isUserError, bool gitHubActions) : IBuildOutput
{
    private readonly Lock _lock = new();

    /// <summary>Set once the options are read (until then, errors in the options are told in the detected flavour).</summary>
    public bool GitHubActions { get; set; } = gitHubActions;

    public Verbosity Verbosity { get; set; } = Verbosity.Normal;

    /// <summary>A small logo, as NUKE prints one before the targets run (<c>--no-logo</c> leaves it out).</summary>
    public void Logo(string buildName)
    {
        if (Verbosity < Verbosity.Normal) return;
        var version = typeof(ConsoleOutput).Assembly.GetName().Version?.ToString(3) ?? "";
        lock (_lock)
        {
            console.MarkupLine("[bold] ▄▀▄▀▄  pkgpanda.NET[/]" + Markup.Escape($" {version}"));
            console.MarkupLine($"[bold] ▀▄▄▄▀[/]  [grey]{Markup.Escape(buildName)}[/]");
        }
    }

    public void TargetStarting(ExecutableTarget target)
    {
        lock (_lock)
        {
            if (GitHubActions) console.WriteLine($"::group::{target.Name}");
            if (Verbosity < Verbosity.Minimal) return;
            console.WriteLine();
            console.MarkupLine($"[bold]╬{new string('═', Math.Max(10, target.Name.Length + 2))}[/]");
            console.MarkupLine($"[bold]║ {Markup.Escape(target.Name)}[/]");
            console.MarkupLine($"[bold]╬{new string('═', Math.Max(4, target.Name.Length / 2))}[/]");
            console.WriteLine();
        }
    }

    public void TargetSkipped(ExecutableTarget target) { }

    public void TargetFailed(ExecutableTarget target, Exception exception)
    {
        Log(LogLevel.Error, Describe(exception));
    }

    /// <summary>An expected error is its message; anything else is our bug, told as one, with its trace.</summary>
    public string Describe(Exception exception) =>
        isUserError(exception) || exception is TargetsException
            ? exception.Message
            : $"This is a bug in pkgpanda.NET, please report it with the trace below: {exception}";

    public void TargetFinished(ExecutableTarget target)
    {
        if (GitHubActions) lock (_lock) console.WriteLine("::endgroup::");
    }

    public IAnsiConsole LiveConsole => console.Spectre;

    public void Line(string text)
    {
        lock (_lock) console.WriteLine(text);
    }

    public void Log(LogLevel level, string message)
    {
        var (tag, color) = level switch
        {
            LogLevel.Debug => ("DBG", "grey"),
            LogLevel.Warning => ("WRN", "yellow"),
            LogLevel.Error => ("ERR", "red"),
            _ => ("INF", "default"),
        };
        lock (_lock)
        {
            foreach (var line in message.Split('\n'))
            {
                if (GitHubActions && level is LogLevel.Error or LogLevel.Warning)
                    console.WriteLine($"::{(level == LogLevel.Error ? "error" : "warning")}::{line}");
                console.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] [{color}][[{tag}]] {Markup.Escape(line.TrimEnd('\r'))}[/]");
            }
        }
    }

    public void Summary(IReadOnlyList<ExecutableTarget> plan, bool succeeded, TimeSpan total)
    {
        lock (_lock)
        {
            var nameWidth = 28;
            foreach (var t in plan) nameWidth = Math.Max(nameWidth, t.Name.Length + 2);
            var width = nameWidth + 24;
            console.WriteLine();
            console.WriteLine(new string('═', width));
            console.WriteLine($"{"Target".PadRight(nameWidth)}{"Status",-14}{"Duration",10}");
            console.WriteLine(new string('─', width));
            foreach (var t in plan)
            {
                var status = t.Status == ExecutionStatus.Collective ? "Succeeded" : t.Status.ToString();
                var duration = t.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Aborted or ExecutionStatus.Collective
                    ? Format(t.Duration) : "";
                var color = t.Status switch
                {
                    ExecutionStatus.Failed or ExecutionStatus.Aborted => "red",
                    ExecutionStatus.Skipped or ExecutionStatus.NotRun => "grey",
                    _ => "green",
                };
                var reason = t.SkipReason ?? (t.Status == ExecutionStatus.Failed ? SummaryLine.Of(t.FailureMessage)?.Trim() : null);
                console.MarkupLine($"[{color}]{Markup.Escape($"{t.Name.PadRight(nameWidth)}{status,-14}{duration,10}")}[/]" +
                                   (reason is null ? "" : $"[grey]{Markup.Escape($"   // {reason}")}[/]"));
            }
            console.WriteLine(new string('─', width));
            console.WriteLine($"{"Total".PadRight(nameWidth + 14)}{Format(total),10}");
            console.WriteLine(new string('═', width));
            console.WriteLine();
            if (succeeded) console.MarkupLine($"[green]Build succeeded on {DateTime.Now:yyyy-MM-dd HH:mm:ss}.[/]");
            else console.MarkupLine($"[red]Build failed on {DateTime.Now:yyyy-MM-dd HH:mm:ss}.[/]");
            console.WriteLine();
        }
    }

    private static string Format(TimeSpan t) => t.TotalSeconds < 1 ? "< 1sec" : t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
