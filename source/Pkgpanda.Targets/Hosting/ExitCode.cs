namespace Pkgpanda.Targets;

/// <summary>The exit codes of a run, one per way it can end.</summary>
internal static class ExitCode
{
    public const int Succeeded = 0;
    /// <summary>A target failed, or the build reported an expected error (the user's input or the environment).</summary>
    public const int Failed = 1;
    /// <summary>The command line or the build declaration is wrong (unknown target or option, cycle, bad value).</summary>
    public const int Usage = 2;
    /// <summary>Ctrl+C or SIGTERM (128 + SIGINT, as a shell reports it).</summary>
    public const int Cancelled = 130;
}
