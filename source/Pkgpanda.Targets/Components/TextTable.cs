namespace Pkgpanda.Targets.Components;

/// <summary>
/// Plain aligned columns for terminals and CI logs: each column as wide as its widest cell or header, and always
/// two spaces between columns, so a header never runs into the next one when every value is short.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    const int Gap = 2;
    readonly List<string[]> _rows = [];

    /// <summary>Columns aligned to the right (numbers, durations).</summary>
    public IReadOnlySet<int> RightAligned { get; init; } = new HashSet<int>();

    public void Add(params string?[] cells) => _rows.Add(cells.Select(c => c ?? "").ToArray());

    public IEnumerable<string> Lines()
    {
        var all = _rows.Prepend(headers).ToList();
        // Plain loops: LINQ over int ranges is compiled at run time, and every run prints a table.
        var widths = new int[headers.Length];
        foreach (var row in all)
            for (var i = 0; i < widths.Length && i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in all)
        {
            var cells = row.Select((c, i) => RightAligned.Contains(i) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]));
            yield return string.Join(new string(' ', Gap), cells).TrimEnd();
        }
    }
}
