using System.Runtime.InteropServices;

namespace Pkgpanda.Core.Sources;

/// <summary>
/// libgit2's own limit on a network read (and on connecting): without it a git server that accepts a connection and
/// then says nothing holds a fetch for ever, since libgit2 calls back only when bytes arrive and so cannot be
/// cancelled until then. The limit is a setting of the native library (one per process, as libgit2 has it), set
/// before each fetch to the <see cref="FetchOptions.IdleTimeout"/> a url download also uses. It covers libgit2's
/// http(s) and git:// transports.
/// </summary>
internal static class GitServerTimeout
{
    private const int SetServerConnectTimeout = 39; // GIT_OPT_SET_SERVER_CONNECT_TIMEOUT (libgit2 1.7 and later)
    private const int SetServerTimeout = 41;        // GIT_OPT_SET_SERVER_TIMEOUT

    // The native library LibGit2Sharp 0.32 ships (LibGit2Sharp.NativeBinaries 2.0.324); git_libgit2_opts is variadic,
    // called here with one int, which the x64 and arm64 Linux calling conventions pass as for a plain function.
    [DllImport("git2-5853918", EntryPoint = "git_libgit2_opts")]
    private static extern int SetOption(int option, int milliseconds);

    public static void Apply(TimeSpan idle)
    {
        // LibGit2Sharp loads and initialises the library first.
        _ = LibGit2Sharp.GlobalSettings.Version;
        var ms = (int)Math.Clamp(idle.TotalMilliseconds, 1, int.MaxValue);
        if (SetOption(SetServerConnectTimeout, ms) != 0 || SetOption(SetServerTimeout, ms) != 0)
            throw new InvalidOperationException("libgit2 refused its server timeouts: is the native library older than 1.7?");
    }
}
