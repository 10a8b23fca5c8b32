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

    [DllImport("libc")] private static extern uint geteuid();
    [DllImport("libc")] private static extern uint getegid();
}
