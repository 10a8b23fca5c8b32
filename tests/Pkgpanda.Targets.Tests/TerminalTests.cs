using System.Text.RegularExpressions;
using Shouldly;
using Spectre.Console;
using Xunit;

namespace Pkgpanda.Targets.Tests;

/// <summary>
/// The host writes its lines without Spectre.Console until a live view needs it (start-up time): what it writes must
/// read as Spectre.Console's rendering of the same markup, with and without colours.
/// </summary>
public sealed partial class TerminalTests
{
    // The shapes ConsoleOutput writes: the logo, a log line with an escaped tag, a summary row with a reason.
    public static TheoryData<string> Lines => new()
    {
        "[bold] ▄▀▄▀▄  pkgpanda.NET[/]" + Markup.Escape(" 0.1.0"),
        "[bold] ▀▄▄▄▀[/]  [grey]" + Markup.Escape("Mkpanda [x]") + "[/]",
        "[grey]12:00:00[/] [yellow][[WRN]] " + Markup.Escape("a [bracketed] value ] and [[ this") + "[/]",
        "[grey]12:00:00[/] [default][[INF]] plain[/]",
        "[red]" + Markup.Escape("Compile      Failed   0:01") + "[/][grey]" + Markup.Escape("   // it [broke]") + "[/]",
        "[green]Build succeeded on 2026-12-02 10:00:00.[/]",
        "no markup at all",
        "[bold]outer [red]inner[/] outer again[/] after",
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Plain_lines_read_as_Spectre_renders_them(string markup)
    {
        Terminal.Render(markup, ansi: false).ShouldBe(Spectre(markup, AnsiSupport.No));
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Coloured_lines_show_the_same_text_in_the_same_styles(string markup)
    {
        var ours = Terminal.Render(markup, ansi: true);
        var theirs = Spectre(markup, AnsiSupport.Yes);
        Sgr().Replace(ours, "").ShouldBe(Sgr().Replace(theirs, ""));
        // Each visible character carries the same styles (bold, the colour), whatever codes reach it.
        Styles(ours).ShouldBe(Styles(theirs));
    }

    [Fact]
    public void Markup_the_terminal_cannot_show_is_our_bug_and_says_so()
    {
        Should.Throw<ArgumentException>(() => Terminal.Render("[blink]x[/]", ansi: false)).Message.ShouldContain("[blink]");
        Should.Throw<ArgumentException>(() => Terminal.Render("x[/]", ansi: false));
        Should.Throw<ArgumentException>(() => Terminal.Render("[grey x", ansi: false));
    }

    [Fact]
    public void A_given_console_gets_every_line()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(writer) });
        var terminal = new Terminal(console);
        terminal.MarkupLine("[grey]a[/] [[b]]");
        terminal.WriteLine("c");
        terminal.Spectre.ShouldBeSameAs(console);
        writer.ToString().ShouldBe($"a [b]{Environment.NewLine}c{Environment.NewLine}");
    }

    private static string Spectre(string markup, AnsiSupport ansi)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = ansi,
            ColorSystem = ansi == AnsiSupport.Yes ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 4096;
        console.Markup(markup);
        return writer.ToString();
    }

    /// <summary>For each visible character, the SGR state in force ("1;90" and so on, sorted).</summary>
    private static List<string> Styles(string text)
    {
        var result = new List<string>();
        var state = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < text.Length; i++)
        {
            var m = Sgr().Match(text, i);
            if (m.Success && m.Index == i)
            {
                foreach (var code in m.Groups[1].Value.Split(';', StringSplitOptions.RemoveEmptyEntries))
                    if (code is "0" or "") state.Clear();
                    else if (code is "39") state.RemoveWhere(c => c is "91" or "32" or "93" or "94" or "90");
                    else state.Add(code);
                if (m.Groups[1].Value.Length == 0) state.Clear();
                i += m.Length - 1;
                continue;
            }
            result.Add(text[i] + ":" + string.Join(";", state));
        }
        return result;
    }

    [GeneratedRegex(@"\x1B\[([0-9;]*)m")]
    private static partial Regex Sgr();
}
