using Pkgpanda.Core.Repositories;

namespace Pkgpanda.Core.Tests.Repositories;

/// <summary>
/// The repository two machines share, in one of its three spellings: an http url served by nginx, a file:// url,
/// a plain folder path. <see cref="StorageOf"/> is where an object lives on disk, so a test can tamper with it.
/// </summary>
public sealed class SharedRepository : IDisposable
{
    public const string Http = "http", FileUrl = "file-url", Folder = "folder";

    public static TheoryData<string> Kinds => new() { Http, FileUrl, Folder };

    private readonly string? _folder;

    private SharedRepository(string url, string storage, string? token, NginxServer? server, string? folder)
    {
        Url = url;
        Storage = storage;
        Token = token;
        Server = server;
        _folder = folder;
    }

    public string Url { get; }
    public string Storage { get; }
    public string? Token { get; }
    public NginxServer? Server { get; }

    /// <summary>Events from every repository this test opened (retries are reported through the options).</summary>
    public List<RepositoryEvent> Events { get; } = [];

    public static SharedRepository Create(string kind, bool withToken = false)
    {
        if (kind == Http)
        {
            var server = NginxServer.Start();
            return withToken
                ? new SharedRepository(server.PrivateUrl, Path.Combine(server.Documents, "private"), NginxServer.Token, server, null)
                : new SharedRepository(server.OpenUrl, Path.Combine(server.Documents, "open"), null, server, null);
        }
        var folder = Path.Combine(Path.GetTempPath(), "pkgpanda-repo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return kind == FileUrl
            ? new SharedRepository(new Uri(folder).AbsoluteUri, folder, null, null, folder)
            : new SharedRepository(folder, folder, null, null, folder);
    }

    public IProgress<RepositoryEvent> Sink => new Collect(Events);

    public IRepository Open(string? token = null, int attempts = 2) =>
        PackageRepository.Open(Url, token ?? Token, Options(attempts));

    public RepositoryOptions Options(int attempts = 2) => new() { Attempts = attempts, RetryDelay = TimeSpan.FromMilliseconds(5), Events = Sink };

    public string StorageOf(string relativePath) => Path.Combine(Storage, relativePath);

    /// <summary>Every object stored, relative to the repository root.</summary>
    public IReadOnlyList<string> Objects() => Directory.Exists(Storage)
        ? Directory.EnumerateFiles(Storage, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Storage, f)).Order(StringComparer.Ordinal).ToList()
        : [];

    public void Dispose()
    {
        Server?.Dispose();
        if (_folder is not null) try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private sealed class Collect(List<RepositoryEvent> events) : IProgress<RepositoryEvent>
    {
        public void Report(RepositoryEvent value)
        {
            lock (events) events.Add(value);
        }
    }
}
