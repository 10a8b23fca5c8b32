namespace Pkgpanda.EndToEnd.Tests;

/// <summary>
/// Generated trees at the sizes users live at, for the plan page: the package names and what each requires, so a
/// test can compute what the page must show. Every package is a real folder (buildinfo.json and a build script).
/// </summary>
public sealed class ShapedTree
{
    private ShapedTree(Dictionary<string, string[]> requires) => Requires = requires;

    /// <summary>Each package and the packages it directly requires.</summary>
    public IReadOnlyDictionary<string, string[]> Requires { get; }

    /// <summary>
    /// Shaped like DC/OS's own tree (about 80 packages): many leaves (libraries and tools that require nothing), a
    /// python hub that some thirty python-* packages require, a few mid-level packages, and hubs requiring dozens
    /// (dcos-image-deps, mesos, dcos-image, an integration test on top).
    /// </summary>
    public static ShapedTree DcosShaped(string root)
    {
        var r = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var leaves = new[] { "openssl", "ncurses", "libsodium", "libffi", "liblzma", "libseccomp", "boost-libs", "libevent", "java", "calico",
            "cni", "cockroach", "conntrack-tools", "csi-driver-nfs", "check-time", "docker-gc", "dvdcli", "etcd", "fluent-bit", "logrotate",
            "rexray", "strace", "telegraf", "dcos-ui", "dcos-cni", "dcos-log", "dcos-checks", "dcos-check-runner", "dcos-bootstrap-ca",
            "mesos-dns", "pkgpanda-role", "ui-update-service", "teamcity-messages", "dnspython" };
        foreach (var leaf in leaves) r[leaf] = [];
        r["curl"] = ["openssl"];
        r["libpq"] = ["openssl"];
        r["erlang"] = ["openssl", "ncurses"];
        r["python"] = ["openssl", "libffi", "liblzma", "ncurses"];
        r["exhibitor"] = ["java"];
        r["marathon"] = ["java"];
        r["metronome"] = ["java"];
        var python = new[] { "six", "python-certifi", "python-idna", "python-dateutil", "python-docopt", "python-future", "python-gunicorn",
            "python-isodate", "python-jinja2", "python-jwt", "python-markupsafe", "python-passlib", "python-prometheus-client",
            "python-pycparser", "python-pyyaml", "python-retrying", "python-tox", "python-responses", "python-jose", "python-kazoo",
            "python-cryptography", "python-requests", "pytest", "flask", "boto", "python-azure" };
        for (var i = 0; i < python.Length; i++)
            r[python[i]] = i < 18 ? ["python"] : [.. new[] { "python", python[i % 9], python[(i * 7) % 18] }.Distinct()];
        r["dcos-net"] = ["erlang", "libsodium"];
        r["adminrouter"] = ["openssl", "libpq"];
        r["cosmos"] = ["java"];
        r["mesos"] = ["boost-libs", "curl", "libevent", "openssl", "libseccomp", "python", "java"];
        r["mesos-modules"] = ["mesos", "boost-libs", "curl"];
        r["dcos-image-deps"] = ["python", .. python.Take(20)];
        r["bouncer-deps"] = ["python", "python-cryptography", "python-requests", "flask", "libpq"];
        r["bouncer"] = ["bouncer-deps", "dcos-image-deps"];
        r["dcos-test-utils"] = ["dcos-image-deps", "pytest", "python-requests"];
        r["dcos-image"] = ["dcos-image-deps", "mesos", "python-azure", "boto"];
        r["dcos-integration-test"] = ["dcos-image", "dcos-test-utils", "mesos-modules", "pytest"];
        r["pkgpanda-api"] = ["dcos-image", "dcos-integration-test", "bouncer", "python-gunicorn"];
        return Write(root, r);
    }

    /// <summary>
    /// A large generated tree: <paramref name="count"/> packages (<c>pkg-000</c>...), a quarter of them leaves; the
    /// others require one to five earlier packages, mostly recent ones, and some of a few hubs (a fixed seed: the
    /// same tree every run).
    /// </summary>
    public static ShapedTree Generated(string root, int count)
    {
        var random = new Random(600);
        var r = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var names = Enumerable.Range(0, count).Select(i => $"pkg-{i:D3}").ToArray();
        for (var i = 0; i < count; i++)
        {
            if (i < count / 4) { r[names[i]] = []; continue; }
            var picks = new HashSet<string>(StringComparer.Ordinal);
            var wanted = 1 + random.Next(5);
            while (picks.Count < wanted)
            {
                var j = random.Next(10) switch
                {
                    0 => random.Next(5) * (count / 10), // a hub
                    < 5 => Math.Max(0, i - 1 - random.Next(Math.Min(i, 40))), // a recent package
                    _ => random.Next(i),
                };
                picks.Add(names[Math.Min(j, i - 1)]);
            }
            r[names[i]] = [.. picks.Order(StringComparer.Ordinal)];
        }
        return Write(root, r);
    }

    private static ShapedTree Write(string root, Dictionary<string, string[]> requires)
    {
        foreach (var (name, needs) in requires) SyntheticTree.Package(root, name, needs, SyntheticTree.Script(0));
        return new ShapedTree(requires);
    }

    /// <summary>Everything <paramref name="name"/> requires, transitively.</summary>
    public HashSet<string> Closure(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(Requires[name]);
        while (stack.Count > 0)
            if (stack.Pop() is var n && seen.Add(n)) foreach (var m in Requires[n]) stack.Push(m);
        return seen;
    }

    /// <summary>Every package that requires <paramref name="name"/>, transitively.</summary>
    public HashSet<string> Dependants(string name) =>
        Requires.Keys.Where(p => p != name && Closure(p).Contains(name)).ToHashSet(StringComparer.Ordinal);
}
