using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>
/// Runs a build class from a command line: finds the root, binds parameters, plans the invoked targets,
/// executes them and prints the summary. An instance holds all state, so tests can run builds repeatedly.
/// </summary>
public sealed class BuildHost(IAnsiConsole? console = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
{
    private static readonly string[] HostOptions = ["target", "skip", "help", "root", "continue", "profile"];

    private readonly IAnsiConsole _console = console ?? CreateConsole();
    private readonly IReadOnlyDictionary<string, string> _environment = environment ?? ReadEnvironment();
    private readonly string _workingDirectory = workingDirectory ?? Directory.GetCurrentDirectory();

    public const int ExitCancelled = 130;

    public int Run<T>(string[] args, string[] defaultTargets) where T : NukeBuild, new() =>
        RunAsync<T>(args, defaultTargets).GetAwaiter().GetResult();

    public async Task<int> RunAsync<T>(string[] args, string[] defaultTargets) where T : NukeBuild, new()
    {
        var build = new T();
        var output = new ConsoleOutput(_console, build.IsUserError, _environment.GetValueOrDefault("GITHUB_ACTIONS") == "true");
        try
        {
            var arguments = new Arguments(args);
            var root = FindRoot(arguments);
            build.RootDirectory = root;
            var parameters = ParameterBinder.Discover(typeof(T));
            CheckUnknownOptions(arguments, parameters);
            new ParameterBinder(arguments, _environment, root).Bind(build, parameters);
            build.Log = new Log(output, build.Verbose);

            var graph = new TargetGraph(build, defaultTargets.FirstOrDefault());
            ExecutionPlanner.Validate(graph);

            if (arguments.Has("help"))
            {
                Help.Write(_console, graph, parameters);
                return 0;
            }

            var invoked = Invoked(arguments, graph);
            build.OnBuildCreated();
            var plan = ExecutionPlanner.Plan(graph, invoked);

            var skipNames = arguments.Values("skip");
            var state = new ContinueState(Path.Combine(root, ".nuke", "temp", "build.json"), Invocation(args));
            var previous = arguments.Has("continue") ? state.LoadSucceeded() : [];

            string? SkipReason(ExecutableTarget t)
            {
                if (skipNames is not null)
                {
                    if (skipNames.Count == 0 && !t.Invoked) return "skipped by --skip";
                    if (skipNames.Any(n => Arguments.Normalize(n) == Arguments.Normalize(t.Name))) return "skipped by --skip";
                }
                return previous.Contains(t.Name) ? "succeeded in the previous run (--continue)" : null;
            }

            var succeededNow = new List<string>(previous);
            using var cancellation = new CancellationTokenSource();
            build.CancellationToken = cancellation.Token;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancellation.Cancel(); };
            Console.CancelKeyPress += onCancel;
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancellation.Cancel(); });

            var watch = Stopwatch.StartNew();
            bool ok;
            try
            {
                ok = await new BuildExecutor(output).ExecuteAsync(plan, SkipReason, t =>
                {
                    succeededNow.Add(t.Name);
                    state.Save(succeededNow);
                }, cancellation.Token).ConfigureAwait(false);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            output.Summary(plan, ok, watch.Elapsed);
            if (ok) state.Clear();
            if (cancellation.IsCancellationRequested) return ExitCancelled;
            return ok ? 0 : 1;
        }
        catch (TargetsException ex)
        {
            output.Log(LogLevel.Error, ex.Message);
            return 1;
        }
        catch (Exception ex) when (build.IsUserError(ex))
        {
            output.Log(LogLevel.Error, ex.Message);
            return 1;
        }
    }

    private string FindRoot(Arguments arguments)
    {
        if (arguments.Values("root") is { Count: > 0 } r)
        {
            var given = Path.GetFullPath(r[0], _workingDirectory);
            if (!Directory.Exists(given)) throw new TargetsException($"--root {r[0]}: the folder does not exist.");
            return given;
        }
        for (var dir = new DirectoryInfo(_workingDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ".nuke"))) return dir.FullName;
        throw new TargetsException($"No .nuke folder in {_workingDirectory} or any parent: run from inside the project, or pass --root <path>.");
    }

    private static void CheckUnknownOptions(Arguments arguments, IReadOnlyList<ParameterInfo> parameters)
    {
        var known = parameters.Select(p => Arguments.Normalize(p.Name)).Concat(HostOptions).ToHashSet();
        foreach (var name in arguments.Names)
            if (!known.Contains(name))
                throw new TargetsException($"Unknown option --{name}. Run with --help to list the parameters.");
    }

    private static List<ExecutableTarget> Invoked(Arguments arguments, TargetGraph graph)
    {
        var names = arguments.Positional.Concat(arguments.Values("target") ?? [])
            .SelectMany(n => n.Split('+', StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (names.Count == 0)
            return graph.Default is { } d ? [d] : throw new TargetsException("No target given and no default target declared.");
        return names.Select(n => graph.Find(n) ?? throw new TargetsException(
            $"Unknown target '{n}'. Available targets: {string.Join(", ", graph.All.Where(t => t.Listed).Select(t => t.Name))}.")).Distinct().ToList();
    }

    /// <summary>--continue resumes only the same invocation; the arguments minus --continue identify it.</summary>
    private static string Invocation(string[] args) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\0", args.Where(a => Arguments.Normalize(a) != "continue")))));

    /// <summary>Logs piped to a file or CI must not be wrapped at 80 columns.</summary>
    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = 4096;
        return console;
    }

    private static Dictionary<string, string> ReadEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");

    private sealed class ContinueState(string path, string invocation)
    {
        public HashSet<string> LoadSucceeded()
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                if (doc.RootElement.GetProperty("invocation").GetString() != invocation) return [];
                return doc.RootElement.GetProperty("succeeded").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
            }
            catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException) { return []; }
        }

        public void Save(IEnumerable<string> succeeded)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = path + ".tmp" + Environment.ProcessId;
            File.WriteAllText(tmp, JsonSerializer.Serialize(new { invocation, succeeded }));
            File.Move(tmp, path, overwrite: true);
        }

        public void Clear()
        {
            try { File.Delete(path); } catch (IOException) { }
        }
    }
}
