using System.Diagnostics;
using System.Text.RegularExpressions;
using Pkgpanda.Core.Building;
using Pkgpanda.Core.Graph;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pkgpanda.Targets.Components;

/// <summary>
/// Shows a running build. On a terminal (like Nix's and docker buildx's displays): finished packages scroll above a
/// live area that holds one line per running package (its phase, time and latest output line) and the counts of done,
/// running, waiting and failed packages with an estimate of the time left; container output goes to the package logs.
/// Elsewhere (CI, pipes): plain timestamped lines prefixed with the package name, finished ones with <c>[n/total]</c>.
/// </summary>
internal sealed partial class BuildProgress(Log log, PackageGraph graph, BuildEstimate estimate, bool live) : IProgress<BuildEvent>
{
    sealed class Running
    {
        public BuildPhase Phase;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public string? Line;
        public string? Engine;
    }

    readonly Lock _lock = new();
    readonly Dictionary<PackageKey, Running> _running = [];
    readonly HashSet<PackageKey> _finished = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    int _failed, _skipped;
    TimeSpan? _firstEstimate;

    int Total => graph.Order.Count;

    /// <summary>The run's own clock beside a package's: lines of several packages line up on one timeline.</summary>
    string RunTime() => $" ({_clock.Elapsed.TotalSeconds:0.000}s into the build)";

    public void Report(BuildEvent value)
    {
        switch (value)
        {
            case PhaseChanged { Phase: BuildPhase.Done } p:
                TimeSpan? done = null;
                lock (_lock) if (_running.Remove(p.Key, out var finished)) done = finished.Clock.Elapsed;
                if (done is { } d) log.Debug(Above($"{p.Key}: done at {d.TotalSeconds:0.000}s{RunTime()}"));
                break;
            case PhaseChanged p:
                TimeSpan elapsed;
                lock (_lock)
                {
                    if (!_running.TryGetValue(p.Key, out var running)) _running[p.Key] = running = new Running();
                    running.Phase = p.Phase;
                    running.Engine = p.Engine ?? running.Engine;
                    elapsed = running.Clock.Elapsed;
                }
                // Building is reported once the package has an engine, naming it.
                if (!live && p.Phase == BuildPhase.Building) log.Information($"{p.Key}: building{(p.Engine is null ? "" : $" on {p.Engine}")}");
                log.Debug(Above($"{p.Key}: {p.Phase.ToString().ToLowerInvariant()} at {elapsed.TotalSeconds:0.000}s{RunTime()}"));
                break;
            case OutputLine o:
                // A line of megabytes (a script printing a binary) is cut on the console; the build's log keeps all of it.
                // A line of more than a piece comes in pieces: the first is shown (cut), the rest only counted. Escapes and
                // control characters (a script's "clear screen") reach the build's log, not the console.
                if (!live)
                {
                    bool continued;
                    lock (_lock) continued = o.Line.Length == OutputLine.PieceLength ? !_cutLines.Add(o.Key) : _cutLines.Remove(o.Key);
                    if (!continued)
                        log.Information($"{o.Key} | {(o.Line.Length <= ConsoleLine ? Plain(o.Line) : $"{Plain(o.Line[..ConsoleLine])}... (more characters in the build's log)")}");
                }
                else lock (_lock) if (_running.TryGetValue(o.Key, out var running)) running.Line = Printable(o.Line);
                break;
            case Message m:
                // Said in the live view too (above it): a wait for another run, a kept build folder.
                if (m.Warning) log.Warning(Above($"{m.Key}: {m.Text}")); else log.Information(Above($"{m.Key}: {m.Text}"));
                break;
            case PackageFinished f:
                string counter, eta = "";
                // Up-to-date packages are counted, not told one line each (the summary's table lists them): a no-op run
                // of 600 packages prints no line per package, live or not, and spends no time on estimates.
                var told = f.Result.Status != PackageStatus.Cached;
                lock (_lock)
                {
                    _finished.Add(f.Key);
                    _running.Remove(f.Key);
                    if (f.Result.Status == PackageStatus.Failed) _failed++;
                    if (f.Result.Status is PackageStatus.Skipped or PackageStatus.NotRun) _skipped++;
                    if (f.Result.Status == PackageStatus.Built) estimate.Learn(f.Key, f.Result.Duration);
                    counter = $"[{_finished.Count}/{Total}]";
                    // Not "about 0:00 left" for what is up to date, nor an estimate for a run that was cancelled: the
                    // estimate is said when there is time to tell and the rest will be built.
                    if (told && !live && f.Result is not { Status: PackageStatus.NotRun, Reason: "cancelled" } && _finished.Count < Total && Remaining() is { } left && left >= TimeSpan.FromSeconds(1)) eta = $" (about {Clock(left)} left)";
                }
                // After Ctrl-C, the packages that never started are counted once at the end, not one line each.
                if (f.Result is { Status: PackageStatus.NotRun, Duration.Ticks: 0, Reason: "cancelled" }) break;
                if (told || log.Verbosity >= Verbosity.Verbose) Finished(counter, f.Result, eta);
                break;
        }
    }

    void Finished(string counter, PackageResult r, string eta)
    {
        var text = r.Status switch
        {
            PackageStatus.Built => $"{r.Key}: built {r.Id} in {r.Duration.TotalSeconds:0.0}s{(r.Engine is null ? "" : $" on {r.Engine}")}{(r.Note is null ? "" : $" ({r.Note})")}",
            PackageStatus.Cached => $"{r.Key}: up to date ({r.Id})",
            PackageStatus.Downloaded => $"{r.Key}: downloaded {r.Id}",
            PackageStatus.Skipped => $"{r.Key}: skipped, {r.Reason}",
            PackageStatus.NotRun => $"{r.Key}: not built ({r.Reason})",
            // The whole reason (with the log tail) closes the run; here the first line says what happened.
            _ => $"{r.Key}: FAILED: {SummaryLine.Of(r.Reason, "at the end of the run")}",
        };
        text = Above($"{counter} {text}{eta}");
        if (r.Status == PackageStatus.Failed) log.Error(text);
        else if (r.Status == PackageStatus.Cached) log.Debug(text);
        else log.Information(text);
    }

    /// <summary>A line printed above the live area overwrites the area's old lines without erasing them: pad it to the width.</summary>
    string Above(string text) => live ? text.PadRight(log.LiveConsole.Profile.Width - "HH:mm:ss [INF] ".Length - 1) : text;

    /// <summary>Time left, from earlier builds' times; caller holds the lock.</summary>
    TimeSpan? Remaining() => estimate.Remaining(_finished, _running.ToDictionary(r => r.Key, r => r.Value.Clock.Elapsed));

    /// <summary>"[12/81] 10 done · 2 running · 69 waiting · 0 failed · about 4:10 left"; caller holds the lock.</summary>
    string Counts()
    {
        var done = _finished.Count - _failed - _skipped;
        var waiting = Total - _finished.Count - _running.Count;
        var left = Remaining() is { } t ? $"about {Clock(t)} left" : "no estimate yet (no earlier build)";
        return $"[{_finished.Count}/{Total}] {done} done · {_running.Count} running · {waiting} waiting · {_failed} failed" +
               (_skipped > 0 ? $" · {_skipped} not built" : "") + $" · {left}";
    }

    /// <summary>Runs <paramref name="work"/> under the live view (when live), redrawing a few times a second.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        lock (_lock) _firstEstimate = Remaining();
        log.Information($"{Total} {(Total == 1 ? "package" : "packages")}" + (_firstEstimate is { } first && first >= TimeSpan.FromSeconds(1) ? $", about {Clock(first)} from earlier builds" : ""));
        T result = default!;
        if (!live) result = await work();
        else
            await log.LiveConsole.Live(Render()).AutoClear(true).Overflow(VerticalOverflow.Ellipsis).Cropping(VerticalOverflowCropping.Top).StartAsync(async ctx =>
            {
                var task = work();
                while (!task.IsCompleted)
                {
                    ctx.UpdateTarget(Render());
                    await Task.WhenAny(task, Task.Delay(250));
                }
                result = await task;
            });
        lock (_lock)
            log.Information($"[{_finished.Count}/{Total}] {_finished.Count - _failed - _skipped} done, {_failed} failed in {Clock(_clock.Elapsed)}" +
                            (_firstEstimate is { } e && e >= TimeSpan.FromSeconds(1) ? $" (estimated {Clock(e)})" : ""));
        return result;
    }

    /// <summary>The longest script line shown whole on the console.</summary>
    const int ConsoleLine = 4096;

    /// <summary>Packages whose last line was a full piece of a longer line (<see cref="OutputLine.PieceLength"/>).</summary>
    private readonly HashSet<PackageKey> _cutLines = [];

    IRenderable Render()
    {
        var width = Math.Max(40, log.LiveConsole.Profile.Width);
        var rows = new List<IRenderable>();
        lock (_lock)
        {
            var keyWidth = Math.Min(32, _running.Keys.Select(k => k.ToString().Length).DefaultIfEmpty(8).Max());
            foreach (var (key, running) in _running.OrderBy(r => r.Value.Clock.Elapsed).Reverse())
            {
                var head = $"  {Fit(key.ToString(), keyWidth).PadRight(keyWidth)}  {running.Phase.ToString().ToLowerInvariant(),-10}  {Clock(running.Clock.Elapsed),6}" +
                           (running.Engine is null ? "" : $"  {running.Engine}");
                var line = running.Line is { Length: > 0 } l ? "  " + Fit(l, width - head.Length - 3) : "";
                rows.Add(new Markup($"[blue]{Markup.Escape(head)}[/][grey]{Markup.Escape(line)}[/]"));
            }
            var barWidth = 24;
            var filled = Total == 0 ? barWidth : _finished.Count * barWidth / Total;
            rows.Add(new Markup($"  [green]{new string('█', filled)}[/]{new string('░', barWidth - filled)} {Markup.Escape(Fit(Counts(), width - barWidth - 4))}"));
        }
        return new Rows(rows);
    }

    static string Fit(string text, int width) => width <= 1 ? "" : text.Length <= width ? text : text[..(width - 1)] + "…";

    static string Clock(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : $"{(int)t.TotalMinutes}:{t:ss}";

    /// <summary>A line as a plain console shows it: escape sequences dropped, other control characters (but tabs) as spaces, its indent kept.</summary>
    static string Plain(string line) => Spaces(Escapes().Replace(line, ""), keepTabs: true);

    /// <summary>A container's line for the live view: without colour codes, carriage-return redraws or other control characters.</summary>
    static string Printable(string line)
    {
        var text = Escapes().Replace(line, "");
        var cr = text.LastIndexOf('\r', text.Length > 0 && text[^1] == '\r' ? text.Length - 2 : text.Length - 1);
        if (cr >= 0) text = text[(cr + 1)..];
        return Spaces(text, keepTabs: false).Trim();
    }

    static string Spaces(string text, bool keepTabs)
    {
        bool Control(char c) => char.IsControl(c) && !(keepTabs && c == '\t');
        return text.Any(Control) ? new string(text.Select(c => Control(c) ? ' ' : c).ToArray()) : text;
    }

    [GeneratedRegex(@"\x1B(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|.)")]
    private static partial Regex Escapes();
}
