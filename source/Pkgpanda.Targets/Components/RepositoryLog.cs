using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Targets.Components;

/// <summary>Repository traffic as log lines (the token never reaches events, so nothing here can print it).</summary>
internal sealed class RepositoryLog(Log log) : IProgress<RepositoryEvent>
{
    public void Report(RepositoryEvent value)
    {
        switch (value)
        {
            case Downloaded d: log.Information($"downloaded {d.RelativePath} ({d.Bytes / 1024} KiB)"); break;
            case Uploaded u: log.Information($"uploaded {u.RelativePath} ({u.Bytes / 1024} KiB)"); break;
            case SkippedIdentical s: log.Debug($"already in the repository: {s.RelativePath}"); break;
            case NotInRepository n: log.Debug($"not in the repository: {n.RelativePath}"); break;
            case RepositoryWarning w: log.Warning(w.Text); break;
        }
    }
}
