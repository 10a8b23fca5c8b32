namespace Pkgpanda.Targets;

/// <summary>
/// NUKE's common options, as the host reads them: from the command line, else from <c>.nuke/parameters*.json</c>
/// (<see cref="ParameterBinder.HostValue"/>). A wrong value is a usage error naming the option and the values it takes.
/// </summary>
/// <param name="Targets">Positional words and <c>--target</c>, or the file's <c>Target</c>; empty for the default target.</param>
/// <param name="Skip"><c>--skip</c>: null when absent, empty to skip every target not invoked.</param>
/// <param name="Verbosity"><c>--verbosity</c>, else <c>--verbose</c> (a build parameter) for Verbose, else Normal.</param>
/// <param name="NoLogo"><c>--no-logo</c>: no logo before the targets run.</param>
/// <param name="Host"><c>--host</c>, or null to detect it from the environment.</param>
internal sealed record HostOptions(IReadOnlyList<string> Targets, IReadOnlyList<string>? Skip, Verbosity Verbosity, bool NoLogo, HostKind? Host)
{
    public static HostOptions Read(Arguments arguments, ParameterBinder binder, bool verbose)
    {
        var targets = arguments.Positional.Concat(arguments.Values("target") ?? []).ToList();
        if (targets.Count == 0 && !arguments.Has("target")) targets = [.. binder.HostValue("target") ?? []];
        return new HostOptions(
            TargetSelection.Split(targets).ToList(),
            binder.HostValue("skip"),
            Enum<Verbosity>(binder.HostValue("verbosity"), "--verbosity") ?? (verbose ? Verbosity.Verbose : Verbosity.Normal),
            Flag(binder.HostValue("nologo"), "--no-logo"),
            Enum<HostKind>(binder.HostValue("host"), "--host"));
    }

    /// <summary>Names only (<c>quiet</c>, <c>GitHubActions</c>, any case); numbers are refused, though Enum.Parse takes them.</summary>
    private static T? Enum<T>(IReadOnlyList<string>? values, string option) where T : struct, System.Enum
    {
        if (values is null) return null;
        var names = string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        if (values.Count != 1) throw new TargetsException($"{option} takes one value: {names}.");
        var match = System.Enum.GetNames<T>().FirstOrDefault(n => Arguments.Normalize(n) == Arguments.Normalize(values[0]));
        return match is null ? throw new TargetsException($"{option} {values[0]}: use one of {names}.") : System.Enum.Parse<T>(match);
    }

    private static bool Flag(IReadOnlyList<string>? values, string option) => values switch
    {
        null => false,
        [] => true,
        [var v] when bool.TryParse(v, out var b) => b,
        _ => throw new TargetsException($"{option} is a flag: give it alone, or as {option} true|false; it was followed by '{string.Join(" ", values)}'. " +
                                        $"Targets go before the options (e.g. `build.sh {values[0]} {option}`)."),
    };
}
