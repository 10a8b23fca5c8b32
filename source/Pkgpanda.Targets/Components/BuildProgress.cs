using System.Collections.Concurrent;
using System.Diagnostics;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Reporting;
using Spectre.Console;

namespace Pkgpanda.Targets.Components;

/// <summary>
/// Shows a running build. On a terminal: a live view, one line per running package (phase, elapsed) and an
/// overall bar; container output goes to the package logs. Elsewhere (CI, pipes): plain timestamped lines
/// prefixed with the package name.
/// </summary>
internal sealed class BuildProgress(Log log, int total, bool live) : IProgress<BuildEvent>
{
    readonly ConcurrentDictionary<PackageKey, (BuildPhase Phase, Stopwatch Clock)> _running = new();
    int _done;

    public void Report(BuildEvent value)
    {
        switch (value)
        {
            case PhaseChanged { Phase: BuildPhase.Done } p:
                _running.TryRemove(p.Key, out _);
                break;
            case PhaseChanged p:
                var entry = _running.AddOrUpdate(p.Key, _ => (p.Phase, Stopwatch.StartNew()), (_, old) => (p.Phase, old.Clock));
                if (!live && p.Phase == BuildPhase.Building) log.Information($"{p.Key}: building");
                log.Debug($"{p.Key}: {p.Phase.ToString().ToLowerInvariant()} at {entry.Clock.Elapsed.TotalSeconds:0.000}s");
                break;
            case OutputLine o when !live:
                log.Information($"{o.Key.Name} | {o.Line}");
                break;
            case Message m:
                if (m.Warning) log.Warning($"{m.Key}: {m.Text}"); else if (!live) log.Information($"{m.Key}: {m.Text}");
                break;
            case PackageFinished f:
                Interlocked.Increment(ref _done);
                _running.TryRemove(f.Key, out _);
                if (!live || f.Result.Status == PackageStatus.Failed) Finished(f.Result);
                break;
        }
    }

    void Finished(PackageResult r)
    {
        var text = r.Status switch
        {
            PackageStatus.Built => $"{r.Key}: built {r.Id} in {r.Duration.TotalSeconds:0.0}s",
            PackageStatus.Cached => $"{r.Key}: up to date ({r.Id})",
            PackageStatus.Downloaded => $"{r.Key}: downloaded {r.Id}",
            PackageStatus.Skipped => $"{r.Key}: skipped, {r.Reason}",
            PackageStatus.NotRun => $"{r.Key}: not built ({r.Reason})",
            // The whole reason (with the log tail) closes the run; here the first line says what happened.
            _ => $"{r.Key}: FAILED: {r.Reason?.Split('\n')[0]}",
        };
        if (r.Status == PackageStatus.Failed) log.Error(text); else log.Information(text);
    }

    /// <summary>Runs <paramref name="work"/> under the live view (when live), redrawing a few times a second.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        if (!live) return await work();
        T result = default!;
        await AnsiConsole.Live(Render()).AutoClear(true).StartAsync(async ctx =>
        {
            var task = work();
            while (!task.IsCompleted)
            {
                ctx.UpdateTarget(Render());
                await Task.WhenAny(task, Task.Delay(250));
            }
            result = await task;
        });
        return result;
    }

    Spectre.Console.Rendering.IRenderable Render()
    {
        var rows = new List<Spectre.Console.Rendering.IRenderable>();
        foreach (var (key, (phase, clock)) in _running.OrderBy(r => r.Key))
            rows.Add(new Markup($"  [blue]{Markup.Escape(key.ToString()),-30}[/] {phase,-10} {clock.Elapsed.TotalSeconds,6:0.0}s"));
        var width = 40;
        var filled = total == 0 ? width : _done * width / total;
        rows.Add(new Markup($"  [green]{new string('█', filled)}[/]{new string('░', width - filled)} {_done}/{total} packages"));
        return new Rows(rows);
    }
}
