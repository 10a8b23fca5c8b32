namespace Pkgpanda.Targets;

/// <summary>
/// The command line as NUKE reads it: leading words are targets, then <c>--name value...</c> groups.
/// Names are compared without case, dashes or underscores, so <c>--packages-dir</c> matches <c>PackagesDir</c>.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _spelling = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repeated = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args)
    {
        string? current = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2 || arg.StartsWith('-') && arg.Length == 2 && char.IsLetter(arg[1]))
            {
                var name = arg.TrimStart('-');
                string? inline = null;
                var eq = name.IndexOf('=');
                if (eq > 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
                current = Normalize(name == "h" ? "help" : name);
                _spelling.TryAdd(current, name);
                if (!_values.ContainsKey(current)) _values[current] = [];
                else _repeated.Add(current);
                if (inline is not null) _values[current].Add(inline);
            }
            else if (current is null) Positional.Add(arg);
            else _values[current].Add(arg);
        }
    }

    /// <summary>Words before the first option: target names.</summary>
    public List<string> Positional { get; } = [];

    public IEnumerable<string> Names => _values.Keys;

    /// <summary>How the user wrote an option, for messages.</summary>
    public string Spelling(string normalized) => _spelling.GetValueOrDefault(normalized, normalized);

    public bool Has(string name) => _values.ContainsKey(Normalize(name));

    /// <summary>Given more than once (<c>--a x --a y</c>): the values of all are in <see cref="Values"/>, in order.</summary>
    public bool IsRepeated(string name) => _repeated.Contains(Normalize(name));

    public IReadOnlyList<string>? Values(string name) => _values.TryGetValue(Normalize(name), out var v) ? v : null;

    public static string Normalize(string name) =>
        new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
}
