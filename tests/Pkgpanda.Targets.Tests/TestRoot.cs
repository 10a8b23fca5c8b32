using Pkgpanda.Targets;
using Spectre.Console;

namespace Pkgpanda.Targets.Tests;

/// <summary>A throwaway project root (a folder with .nuke/) and a host whose console output is captured.</summary>
public sealed class TestRoot : IDisposable
{
    public TestRoot()
    {
        Path = Directory.CreateTempSubdirectory("targets-test-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, ".nuke"));
    }

    public string Path { get; }

    public string Nuke(string file) => System.IO.Path.Combine(Path, ".nuke", file);

    public void WriteParameters(string file, string json) => File.WriteAllText(Nuke(file), json);

    public sealed record Result(int ExitCode, string Output);

    public async Task<Result> RunAsync(NukeBuild build, string args, Dictionary<string, string>? environment = null, string defaultTarget = "Default")
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 400;
        var host = new BuildHost(console, environment ?? new Dictionary<string, string>(), Path);
        var argv = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var code = await host.RunAsync(build, argv, [defaultTarget]);
        return new Result(code, writer.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
