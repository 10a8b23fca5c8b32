using Pkgpanda.Core;

namespace Pkgpanda.Targets.Components;

/// <summary>
/// Core words its messages in the library's terms (<c>Selection.Variant</c>, <c>PackageStore.Load(packagesDir)</c>);
/// this front end tells its users the flag instead. Only the terms below are replaced, and only in the messages of
/// the two expected error kinds (a user's mistake, a fault of the environment).
/// </summary>
internal static class CommandLineWording
{
    private static readonly (string Term, string Flag)[] Terms =
    [
        ("PackageStore.Load(packagesDir)", "--packages-dir, or PackagesDir in .nuke/parameters.json"),
        ("Selection.TreeVariant", "--tree-variant"),
        ("Selection.Variant", "--variant"),
        ("Selection.Package", "--package"),
        ("PackageRepository.Open(token)", $"--repository-token or ${Core.Repositories.PackageRepository.TokenVariable}"),
        ("DefaultBuilderImage.EnsureAsync(tag)", "--builder-image"),
        ("DockerRunner.ResolveEndpoint(dockerHost)", "--docker-host"),
        ("all (CacheCleaner.Clean(all))", "--all"),
        ("name an engine that runs (EngineAddress.ParseAll(addresses))", "pass --docker-host with an engine that runs"),
        ("name engines that run (EngineAddress.ParseAll(addresses))", "pass --docker-host with engines that run"),
        ("EngineAddress.ParseAll(addresses)", "--docker-host"),
        ("EngineTls.Resolve(certPath)", "--docker-cert-path, or DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH or ~/.docker"),
    ];

    public static string Apply(string message) =>
        Terms.Aggregate(message, (text, t) => text.Replace(t.Term, t.Flag, StringComparison.Ordinal));

    /// <summary>The same error in this front end's words, or null when no term occurs in it.</summary>
    public static Exception? Translate(Exception exception)
    {
        if (!BuildError.IsExpected(exception)) return null;
        var message = Apply(exception.Message);
        if (message == exception.Message) return null;
        return exception is EnvironmentFault ? new EnvironmentFault(message, exception) : new BuildError(message, exception);
    }
}
