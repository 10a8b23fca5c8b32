using System.Text;
using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>
/// Where the host's lines go. Lines are written straight to the process's standard output (with colours where
/// Spectre.Console would use them) until something needs Spectre.Console's renderer, the live view: from then on they
/// go through it, so a line printed above the live area leaves the area intact. Making Spectre.Console's console costs
/// ~20 ms at start-up (its detection and renderer), more than the rest of a run that has nothing to build.
/// A console given to the constructor (tests, a host embedding the build) is used for everything.
/// </summary>
internal sealed class Terminal
{
    private readonly Lock _lock = new();
    private readonly TextWriter _writer;
    private readonly bool _ansi;
    private readonly bool _redirected;
    private IAnsiConsole? _spectre;

    /// <summary>Everything through <paramref name="console"/>.</summary>
    public Terminal(IAnsiConsole console)
    {
        _spectre = console;
        _writer = console.Profile.Out.Writer;
    }

    /// <summary>The process's standard output; colours on a terminal (or GitHub Actions), none when piped or with NO_COLOR.</summary>
    public static Terminal OfProcess()
    {
        var redirected = Console.IsOutputRedirected;
        var term = Environment.GetEnvironmentVariable("TERM");
        var ansi = Environment.GetEnvironmentVariable("NO_COLOR") is not { Length: > 0 } &&
                   (Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true" || (!redirected && term is { Length: > 0 } && term != "dumb"));
        return new Terminal(Console.Out, redirected, ansi);
    }

    private Terminal(TextWriter writer, bool redirected, bool ansi)
    {
        _writer = writer;
        _redirected = redirected;
        _ansi = ansi;
    }

    /// <summary>For text written as it is (help, plans): the writer under the console.</summary>
    public TextWriter Writer => _spectre?.Profile.Out.Writer ?? _writer;

    /// <summary>Spectre.Console's console, made on first use; afterwards every line goes through it.</summary>
    public IAnsiConsole Spectre
    {
        get
        {
            lock (_lock)
            {
                if (_spectre is null)
                {
                    _writer.Flush();
                    _spectre = AnsiConsole.Console;
                    // Logs piped to a file or CI must not be wrapped at 80 columns.
                    if (_redirected) _spectre.Profile.Width = 4096;
                }
                return _spectre;
            }
        }
    }

    public void WriteLine(string text = "")
    {
        lock (_lock)
        {
            if (_spectre is { } console) console.WriteLine(text);
            else _writer.WriteLine(text);
        }
    }

    /// <summary>A line of Spectre.Console markup: <c>[bold]</c>, <c>[grey]</c> and the other plain colours, <c>[/]</c>, <c>[[</c>, <c>]]</c>.</summary>
    public void MarkupLine(string markup)
    {
        lock (_lock)
        {
            if (_spectre is { } console) console.MarkupLine(markup);
            else _writer.WriteLine(Render(markup, _ansi));
        }
    }

    /// <summary>Markup as text, with SGR codes for its styles when <paramref name="ansi"/> (as Spectre.Console writes them).</summary>
    internal static string Render(string markup, bool ansi)
    {
        var text = new StringBuilder(markup.Length + 16);
        var styles = new Stack<string>();
        for (var i = 0; i < markup.Length; i++)
        {
            var c = markup[i];
            if ((c == '[' || c == ']') && i + 1 < markup.Length && markup[i + 1] == c) { text.Append(c); i++; continue; }
            if (c != '[') { text.Append(c); continue; }
            var end = markup.IndexOf(']', i + 1);
            if (end < 0) throw new ArgumentException($"Unclosed markup tag in: {markup}", nameof(markup));
            var tag = markup[(i + 1)..end];
            i = end;
            if (tag == "/")
            {
                if (styles.Count == 0) throw new ArgumentException($"Closing tag without an opening one in: {markup}", nameof(markup));
                styles.Pop();
            }
            else styles.Push(Sgr(tag) ?? throw new ArgumentException($"Unknown style [{tag}] in: {markup}", nameof(markup)));
            if (!ansi) continue;
            text.Append("\u001b[0m");
            foreach (var style in styles.Reverse()) if (style.Length > 0) text.Append("\u001b[").Append(style).Append('m');
        }
        return text.ToString();
    }

    private static string? Sgr(string tag) => tag switch
    {
        "default" => "",
        "bold" => "1",
        // Spectre.Console's colour names: its red, yellow and blue are the bright ones.
        "red" => "91",
        "green" => "32",
        "yellow" => "93",
        "blue" => "94",
        "grey" or "gray" => "90",
        _ => null,
    };
}
