using System.Diagnostics;
using System.Reflection;
using Spectre.Console;

namespace Pkgpanda.Targets;

/// <summary>
/// Runs a build class from a command line: finds the root, binds parameters, plans the invoked targets,
/// executes them and prints the summary. An instance holds all state, so tests can run builds repeatedly.
/// </summary>
internal sealed class BuildHost(IAnsiConsole? console = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
{
    /// <summary>Options the host reads itself (normalized); everything else must be a parameter of the build.</summary>
    private static readonly string[] HostOptions = ["target", "skip", "help", "root", "continue", "profile", "plan", "planformat"];

    private readonly IAnsiConsole _console = console ?? CreateConsole();
    private readonly IReadOnlyDictionary<string, string> _environment = environment ?? ReadEnvironment();
    private readonly string _workingDirectory = workingDirectory ?? Directory.GetCurrentDirectory();

    public const int ExitSucceeded = 0;
    public const int ExitFailed = 1;
    /// <summary>The command line or the build declaration is wrong (unknown target or option, cycle, bad value).</summary>
    public const int ExitUsage = 2;
    public const int ExitCancelled = 130;

    /// <summary>How long a cancelled run may take to stop before the process exits regardless.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long <c>--plan</c> waits for package ids before drawing the packages without them.</summary>
    public TimeSpan PackageIdTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int Run<T>(string[] args, string[] defaultTargets) where T : NukeBuild, new() =>
        RunAsync(new T(), args, defaultTargets).GetAwaiter().GetResult();

    public Task<int> RunAsync<T>(string[] args, string[] defaultTargets) where T : NukeBuild, new() =>
        RunAsync(new T(), args, defaultTargets);

    public async Task<int> RunAsync(NukeBuild build, string[] args, string[] defaultTargets)
    {
        var gitHubActions = _environment.GetValueOrDefault("GITHUB_ACTIONS") == "true";
        var output = new ConsoleOutput(_console, build.IsUserError, gitHubActions);
        build.IsGitHubActions = gitHubActions;
        build.IsServerBuild = gitHubActions || _environment.GetValueOrDefault("CI") is { Length: > 0 };
        try
        {
            var arguments = new Arguments(args);
            var root = ProjectRoot.Find(arguments, _environment, _workingDirectory);
            build.RootDirectory = root;
            var parameters = ParameterBinder.Discover(build.GetType());
            CheckUnknownOptions(arguments, parameters);
            new ParameterBinder(arguments, _environment, root, _workingDirectory).Bind(build, parameters);
            build.Log = new Log(output, build.Verbose);

            var graph = new TargetGraph(build, defaultTargets.FirstOrDefault());
            ExecutionPlanner.Validate(graph);
            GenerateFiles(build, root, graph, parameters, output);

            if (arguments.Has("help"))
            {
                var (packages, note) = await LoadPackagesAsync(build, withIds: false, CancellationToken.None).ConfigureAwait(false);
                Help.Write(_console, graph, parameters, packages, note);
                return ExitSucceeded;
            }

            var invoked = Invoked(arguments, graph);
            build.OnBuildCreated();

            if (arguments.Has("plan") || arguments.Has("planformat"))
                return await WritePlanAsync(build, arguments, graph, invoked, root).ConfigureAwait(false);

            return await ExecuteAsync(build, args, arguments, graph, invoked, parameters, root, output).ConfigureAwait(false);
        }
        catch (TargetsException ex)
        {
            output.Log(LogLevel.Error, ex.Message);
            return ExitUsage;
        }
        catch (Exception ex) when (build.IsUserError(ex))
        {
            output.Log(LogLevel.Error, ex.Message);
            return ExitFailed;
        }
    }

    private async Task<int> ExecuteAsync(NukeBuild build, string[] args, Arguments arguments, TargetGraph graph,
        IReadOnlyList<ExecutableTarget> invoked, IReadOnlyList<ParameterInfo> parameters, string root, ConsoleOutput output)
    {
        using var cancellation = new CancellationTokenSource();
        build.CancellationToken = cancellation.Token;
        // Ctrl+C / SIGTERM cancel the run; a run still going after the grace period exits anyway (Interruption).
        var interruption = new Interruption(cancellation, InterruptGrace, build.OnInterruptTimedOut);
        try
        {
            if (graph.PackageParents.Any(ExecutionPlanner.Schedule(invoked).Contains))
                graph.AddPackages(await build.PackageNodesAsync(withIds: false, cancellation.Token).ConfigureAwait(false));
            var plan = ExecutionPlanner.Plan(graph, invoked);

            var skipReason = SkipRule(arguments, graph);
            var state = new ContinueState(Path.Combine(root, ".nuke", "temp", "build-attempt.json"), ContinueState.InvocationOf(args));
            var resume = arguments.Has("continue");
            var previous = resume ? state.LoadSucceeded() : [];
            if (!resume) state.Clear();
            string? Reason(ExecutableTarget t) =>
                skipReason(t) ?? (previous.Contains(StateName(t)) ? "succeeded in the previous attempt (--continue)" : null);
            CheckRequirements(plan, Reason, parameters);

            var succeeded = new List<string>(previous);
            var watch = Stopwatch.StartNew();
            var ok = await new BuildExecutor(output).ExecuteAsync(plan, Reason, t =>
            {
                succeeded.Add(StateName(t));
                state.Save(succeeded);
            }, cancellation.Token).ConfigureAwait(false);
            output.Summary(plan, ok, watch.Elapsed);
            if (ok) state.Clear();
            if (cancellation.IsCancellationRequested) return interruption.ExitCode ?? ExitCancelled;
            return ok ? ExitSucceeded : ExitFailed;
        }
        finally
        {
            interruption.Dispose();
        }
    }

    private static string StateName(ExecutableTarget t) => t.Package is null ? t.Name : "package:" + t.Package.Key;

    /// <summary>NUKE's --skip: the named targets, or with no names every target that was not invoked.</summary>
    private static Func<ExecutableTarget, string?> SkipRule(Arguments arguments, TargetGraph graph)
    {
        var names = arguments.Values("skip");
        if (names is null) return _ => null;
        if (names.Count == 0) return t => t.Invoked ? null : "skipped by --skip";
        var skipped = Split(names).Select(n => graph.Find(n) ?? throw UnknownTarget(n, graph, "--skip")).ToHashSet();
        return t => skipped.Contains(t) ? "skipped by --skip" : null;
    }

    /// <summary>Checked before anything runs, as NUKE does, so a missing parameter does not fail a build half-way.</summary>
    private static void CheckRequirements(IReadOnlyList<ExecutableTarget> plan, Func<ExecutableTarget, string?> skipReason, IReadOnlyList<ParameterInfo> parameters)
    {
        var missing = new List<string>();
        foreach (var t in plan.Where(t => skipReason(t) is null && t.Definition.StaticConditions.All(c => c.Condition())))
            foreach (var (member, value) in t.Definition.RequiredParameters)
                if (value() is null or "" || value() is Array { Length: 0 })
                {
                    var p = parameters.FirstOrDefault(p => p.Member.Name == member);
                    var name = p?.Name ?? member;
                    missing.Add($"Target {t.Name} requires the parameter --{ParameterInfo.KebabCase(name)} " +
                                $"(command line, environment variable {ParameterInfo.KebabCase(name).Replace('-', '_').ToUpperInvariant()}, or .nuke/parameters.json).");
                }
        if (missing.Count > 0) throw new TargetsException(string.Join("\n", missing));
    }

    private async Task<int> WritePlanAsync(NukeBuild build, Arguments arguments, TargetGraph graph, IReadOnlyList<ExecutableTarget> invoked, string root)
    {
        var format = arguments.Values("planformat") is { Count: > 0 } f ? f[0].ToLowerInvariant() : "html";
        if (!TextPlan.Formats.Contains(format)) throw new TargetsException($"--plan-format {format}: use one of {string.Join(", ", TextPlan.Formats)}.");
        var (packages, note) = await LoadPackagesAsync(build, withIds: true, CancellationToken.None).ConfigureAwait(false);
        if (graph.PackageParents.Any()) graph.AddPackages(packages);
        var plan = PlanGraph.From(graph, ExecutionPlanner.Plan(graph, invoked), packages, note);
        if (format != "html")
        {
            _console.Profile.Out.Writer.Write(TextPlan.Render(plan, format));
            return ExitSucceeded;
        }
        var path = PlanOutput.PagePath(root);
        var title = $"Execution plan of {build.GetType().Name}: {string.Join(", ", invoked.Select(t => t.Name))}";
        GeneratedFile.WriteAtomically(path, HtmlPlan.Render(plan, title));
        _console.WriteLine(path);
        if (note is not null) build.Log.Warning(note);
        if (PlanOutput.CanOpenBrowser(_environment)) PlanOutput.Open(path);
        return ExitSucceeded;
    }

    /// <summary>
    /// The build's packages for --help and --plan. Ids need the build engine; when computing them fails the
    /// packages are shown without ids (with the reason), and when even the tree cannot be loaded, without packages.
    /// </summary>
    private async Task<(IReadOnlyList<PackageNode> Packages, string? Note)> LoadPackagesAsync(NukeBuild build, bool withIds, CancellationToken cancellationToken)
    {
        string? note = null;
        if (withIds)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PackageIdTimeout);
            build.CancellationToken = timeout.Token;
            try { return (await build.PackageNodesAsync(withIds: true, timeout.Token).ConfigureAwait(false), null); }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                note = $"Package ids are not shown: {FirstLine(ex)}";
            }
            finally { build.CancellationToken = cancellationToken; }
        }
        try { return (await build.PackageNodesAsync(withIds: false, cancellationToken).ConfigureAwait(false), note); }
        catch (Exception ex) when (build.IsUserError(ex) || ex is TargetsException)
        {
            return ([], $"The packages could not be loaded: {ex.Message}");
        }
    }

    private static string FirstLine(Exception ex) => ex is OperationCanceledException ? "timed out" : ex.Message.Split('\n')[0].Trim();

    /// <summary>Files derived from the build class, rewritten on every run (only when their content changed).</summary>
    private static void GenerateFiles(NukeBuild build, string root, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters, ConsoleOutput output)
    {
        var files = new List<(string Path, string Content)>
        {
            (Path.Combine(root, ".nuke", "build.schema.json"), BuildSchema.Render(parameters)),
        };
        foreach (var a in build.GetType().GetCustomAttributes<GitHubActionsAttribute>())
            files.Add((Path.Combine(root, GitHubActionsWorkflow.RelativePath(a)), GitHubActionsWorkflow.Render(a, build.GetType().Name, graph)));
        foreach (var (path, content) in files)
        {
            try { GeneratedFile.WriteIfChanged(path, content); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.Log(LogLevel.Warning, $"Could not update {path}: {ex.Message}");
            }
        }
    }

    private static void CheckUnknownOptions(Arguments arguments, IReadOnlyList<ParameterInfo> parameters)
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

    private static IEnumerable<string> Split(IEnumerable<string> names) =>
        names.SelectMany(n => n.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static List<ExecutableTarget> Invoked(Arguments arguments, TargetGraph graph)
    {
        var names = Split(arguments.Positional.Concat(arguments.Values("target") ?? [])).ToList();
        if (names.Count == 0)
            return graph.Default is { } d ? [d] : throw new TargetsException($"No target given and no default target declared. {Available(graph)}");
        return names.Select(n => graph.Find(n) ?? throw UnknownTarget(n, graph, "target")).Distinct().ToList();
    }

    private static TargetsException UnknownTarget(string name, TargetGraph graph, string where) =>
        new($"Unknown {(where == "target" ? "target" : $"target in {where}")} '{name}'. {Available(graph)}");

    private static string Available(TargetGraph graph) =>
        $"Available targets: {string.Join(", ", graph.Targets.Where(t => t.Listed).Select(t => t.Name))}.";

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
}
