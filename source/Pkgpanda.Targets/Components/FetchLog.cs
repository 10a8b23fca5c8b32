using Pkgpanda.Core.Sources;

namespace Pkgpanda.Targets.Components;

/// <summary>Fetch progress as log lines: starts, retries, warnings, outcomes (download bytes only every so often).</summary>
internal sealed class FetchLog(Log log) : IProgress<FetchEvent>
{
    public void Report(FetchEvent value)
    {
        switch (value)
        {
            case FetchStarted s: log.Information($"{s.Source}: fetching {s.Kind} {s.Location}"); break;
            case DownloadProgress d: log.Debug($"{d.Source}: {d.Bytes / 1024} KiB{(d.Total is { } t ? $" of {t / 1024} KiB" : "")}"); break;
            case FetchRetrying r: log.Warning($"{r.Source}: {r.Reason}; retrying in {r.Delay.TotalSeconds:0}s (attempt {r.Attempt})"); break;
            case FetchWarning w: log.Warning($"{w.Source}: {w.Message}"); break;
            case FetchFinished f: log.Information($"{f.Source}: {f.Outcome.ToString().ToLowerInvariant()}"); break;
            case FetchFailed f: log.Error($"{f.Source}: {f.Message}"); break;
        }
    }
}
