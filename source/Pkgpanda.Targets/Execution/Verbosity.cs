namespace Pkgpanda.Targets;

/// <summary>NUKE's <c>--verbosity</c> levels; each shows what the one before it shows, and more.</summary>
public enum Verbosity
{
    /// <summary>Warnings, errors and the summary.</summary>
    Quiet,
    /// <summary>Also a header per target.</summary>
    Minimal,
    /// <summary>Also the logo and information lines (the default).</summary>
    Normal,
    /// <summary>Also debug lines (<c>--verbose</c> is short for this).</summary>
    Verbose,
}
