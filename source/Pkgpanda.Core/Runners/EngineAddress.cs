namespace Pkgpanda.Core.Runners;

/// <summary>
/// One engine of the pool as the user names it: <c>unix:///var/run/docker.sock</c>, <c>tcp://build-2:2376</c>, with an
/// optional <c>#N</c> to run at most N packages there at once (else as many as the engine reports CPUs).
/// </summary>
public sealed record EngineAddress(Uri Endpoint, int? Capacity)
{
    public string Address => Endpoint.OriginalString;

    /// <summary>The addresses given (the DockerHost parameter), else DOCKER_HOST, else the local socket.</summary>
    public static IReadOnlyList<EngineAddress> ParseAll(IReadOnlyList<string>? addresses)
    {
        var given = (addresses ?? []).SelectMany(a => a.Split((char[])[' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (given.Count == 0) given.Add(Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env ? env : DockerRunner.DefaultAddress);
        var result = given.Select(Parse).ToList();
        var twice = result.GroupBy(a => a.Address, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new BuildError($"EngineAddress.ParseAll(addresses): {twice.Key} is named twice; name each engine once (add #N to let it run N packages at once).");
        return result;
    }

    public static EngineAddress Parse(string text)
    {
        var hash = text.LastIndexOf('#');
        int? capacity = null;
        var address = text;
        if (hash >= 0)
        {
            if (!int.TryParse(text[(hash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new BuildError($"EngineAddress.ParseAll(addresses): \"{text}\": after # comes how many packages the engine runs at once, a whole number of at least 1.");
            capacity = n;
            address = text[..hash];
        }
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https") ||
            uri.Scheme == "unix" && uri.AbsolutePath.Length <= 1 || uri.Scheme != "unix" && uri.Host.Length == 0)
            throw new BuildError($"EngineAddress.ParseAll(addresses): \"{text}\" is not an engine address; write unix:///path/to/docker.sock or tcp://host:port " +
                                 "(for an engine on another machine, forward its socket over SSH: ssh -L /tmp/b2.sock:/var/run/docker.sock b2).");
        return new EngineAddress(uri, capacity);
    }
}
