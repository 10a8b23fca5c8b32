namespace Pkgpanda.Targets;

/// <summary>NUKE's <c>--help</c>: prints the targets, the packages of the selection and the parameters; runs nothing.</summary>
internal static class HelpRequest
{
    public static bool IsRequested(Arguments arguments) => arguments.Has("help");

    public static async Task<int> HandleAsync(Terminal console, TargetGraph graph, IReadOnlyList<ParameterInfo> parameters, PackageLoader packages)
    {
        var (nodes, note) = await packages.LoadAsync(withIds: false, CancellationToken.None).ConfigureAwait(false);
        Help.Write(console, graph, parameters, nodes, note);
        return ExitCode.Succeeded;
    }
}
