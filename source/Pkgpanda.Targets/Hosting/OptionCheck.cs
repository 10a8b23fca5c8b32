namespace Pkgpanda.Targets;

/// <summary>Refuses an option that is neither the host's nor a parameter of the build, with a "did you mean" when one is close.</summary>
internal static class OptionCheck
{
    /// <summary>Options the host reads itself (normalized); everything else must be a parameter of the build.</summary>
    public static readonly string[] HostOptions = ["target", "skip", "help", "root", "continue", "profile", "plan", "planformat", "verbosity", "nologo", "host"];

    public static void Check(Arguments arguments, IReadOnlyList<ParameterInfo> parameters)
    {
        var known = parameters.Select(p => Arguments.Normalize(p.Name)).Concat(HostOptions).ToHashSet();
        foreach (var name in arguments.Names)
            if (!known.Contains(name))
            {
                var near = parameters.Where(p => Distance(Arguments.Normalize(p.Name), name) <= 2).Select(p => "--" + p.Kebab).FirstOrDefault();
                throw new TargetsException($"Unknown option --{arguments.Spelling(name)}.{(near is null ? "" : $" Did you mean {near}?")} Run with --help to list the parameters.");
            }
    }

    /// <summary>Edit distance, for "did you mean" on a mistyped option.</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }
}
