using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>
/// Runs a build class from a command line. It only composes the handlers, in NUKE's order: find the root
/// (<see cref="ProjectRoot"/>), check the options (<see cref="OptionCheck"/>), bind the parameters and read the host's
/// (<see cref="HostOptions"/>), build and check the
/// target graph, update the generated files, then answer <c>--help</c> (<see cref="HelpRequest"/>) or <c>--plan</c>
/// (<see cref="PlanRequest"/>), or run the targets (<see cref="TargetRun"/>), and turn the outcome into an
/// <see cref="ExitCode"/>. An instance holds all state, so tests can run builds repeatedly.
/// </summary>
internal sealed class BuildHost(IAnsiConsole? console = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
{
    // First, so a verbose run's timings count the console's set-up as the host's.
    private readonly long _created = System.Diagnostics.Stopwatch.GetTimestamp();
    private readonly IReadOnlyDictionary<string, string> _environment = environment ?? ReadEnvironment();
    private readonly Terminal _console = console is null ? Terminal.OfProcess() : new Terminal(console);
    private readonly string _workingDirectory = workingDirectory ?? Directory.GetCurrentDirectory();

    public const int ExitSucceeded = ExitCode.Succeeded;
    public const int ExitFailed = ExitCode.Failed;
    public const int ExitUsage = ExitCode.Usage;
    public const int ExitCancelled = ExitCode.Cancelled;

    /// <summary>How long a cancelled run may take to stop before the process exits regardless.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long <c>--plan</c> waits for package ids before drawing the packages without them.</summary>
    public TimeSpan PackageIdTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int Run<T>(string[] args, string[] defaultTargets) where T : NukeBuild, new() =>
        RunAsync(new T(), args, defaultTargets).GetAwaiter().GetResult();

    /// <summary>Default targets given as <c>x => x.Target</c>: each is the target property whose delegate it returns.</summary>
    public int Run<T>(string[] args, Func<T, Target>[] defaultTargets) where T : NukeBuild, new()
    {
        var build = new T();
        var names = defaultTargets.Select(f => TargetGraph.PropertyOf(build, f(build))
            ?? throw new ArgumentException("Default targets are given as x => x.Target, a target property of the build.")).ToArray();
        return RunAsync(build, args, names).GetAwaiter().GetResult();
    }

    public Task<int> RunAsync<T>(string[] args, string[] defaultTargets) where T : NukeBuild, new() =>
        RunAsync(new T(), args, defaultTargets);

    public async Task<int> RunAsync(NukeBuild build, string[] args, string[] defaultTargets)
    {
        var detected = _environment.GetValueOrDefault("GITHUB_ACTIONS") == "true" ? HostKind.GitHubActions : HostKind.Terminal;
        var output = new ConsoleOutput(_console, build.IsUserError, detected == HostKind.GitHubActions);
        var timings = new RunTimings(_created);
        timings.Mark("console and environment");
        try
        {
            var arguments = new Arguments(args);
            build.RootDirectory = ProjectRoot.Find(arguments, _environment, _workingDirectory);
            var parameters = ParameterBinder.Discover(build.GetType());
            OptionCheck.Check(arguments, parameters);
            var binder = new ParameterBinder(arguments, _environment, build.RootDirectory, _workingDirectory);
            binder.Bind(build, parameters);
            build.ParameterOrigin = binder.SetBy;
            var options = HostOptions.Read(arguments, binder, build.Verbose);
            build.Host = options.Host ?? detected;
            build.IsServerBuild = build.IsGitHubActions || _environment.GetValueOrDefault("CI") is { Length: > 0 };
            build.Verbosity = output.Verbosity = options.Verbosity;
            output.GitHubActions = build.IsGitHubActions;
            build.Log = new Log(output, options.Verbosity);
            timings.Mark("parameters");

            var graph = new TargetGraph(build, defaultTargets.FirstOrDefault());
            ExecutionPlanner.Validate(graph);
            timings.Mark("target graph");
            GeneratedFiles.Update(build, graph, parameters, output);
            timings.Mark("generated files");
            var packages = new PackageLoader(build, PackageIdTimeout);

            if (HelpRequest.IsRequested(arguments))
                return await HelpRequest.HandleAsync(_console, graph, parameters, packages).ConfigureAwait(false);

            var invoked = TargetSelection.Invoked(options.Targets, graph);
            build.OnBuildCreated();

            if (PlanRequest.IsRequested(arguments))
                return await PlanRequest.HandleAsync(_console, _environment, build, arguments, graph, invoked, packages).ConfigureAwait(false);

            return await TargetRun.ExecuteAsync(build, args, arguments, options, graph, invoked, parameters, output, InterruptGrace, timings).ConfigureAwait(false);
        }
        catch (TargetsException ex)
        {
            output.Log(LogLevel.Error, ex.Message);
            return ExitCode.Usage;
        }
        catch (Exception ex) when (build.IsUserError(ex))
        {
            output.Log(LogLevel.Error, ex.Message);
            return ExitCode.Failed;
        }
    }

    private static Dictionary<string, string> ReadEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
}
