using System.Runtime.InteropServices;

namespace Pkgpanda.Core.Runners;

/// <summary>Facts about this machine's processes and user that cleanup and provisioning decide on.</summary>
public static class LocalHost
{
    /// <summary>Whether a process still runs: leftovers (scratch folders, containers) of dead ones may be removed.</summary>
    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    public static uint UserId => geteuid();

    public static uint GroupId => getegid();

    public static bool IsRoot => UserId == 0;

    /// <summary>
    /// This machine, as labels on a shared engine name it: the host name and the machine id, so two machines (or two
    /// containers on one machine, which share a machine id but not a host name) never take each other's work for theirs.
    /// </summary>
    public static string Identity { get; } = $"{Environment.MachineName}/{ReadMachineId()}";

    /// <summary>
    /// This run: the process id and its start time since boot, so a later process that reuses the pid is not taken
    /// for it. <see cref="IsRunAlive"/> tells whether the run that wrote such a value still runs on this machine.
    /// </summary>
    public static string RunId { get; } = $"{Environment.ProcessId}-{StartTime(Environment.ProcessId)}";

    public static bool IsRunAlive(string runId)
    {
        var dash = runId.IndexOf('-');
        if (dash < 0 || !int.TryParse(runId[..dash], out var pid)) return false;
        return IsAlive(pid) && StartTime(pid) == runId[(dash + 1)..];
    }

    private static string ReadMachineId()
    {
        foreach (var path in new[] { "/etc/machine-id", "/var/lib/dbus/machine-id" })
        {
            try { if (File.ReadAllText(path).Trim() is { Length: > 0 } id) return id; }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return "no-machine-id";
    }

    /// <summary>Field 22 of /proc/PID/stat (clock ticks after boot); "" when the process is gone.</summary>
    private static string StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces and parentheses; fields after it follow the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : "";
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    [DllImport("libc")] private static extern uint geteuid();
    [DllImport("libc")] private static extern uint getegid();
}
