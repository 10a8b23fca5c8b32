using System.Text;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// Builds an install root from a set of packages, in pkgpanda's layout (SPEC 5): <c>packages/&lt;id&gt;/</c>,
/// <c>active/&lt;name&gt;</c>, the well-known folders whose files link into the packages, <c>environment</c>,
/// <c>environment.export</c>, <c>etc/dcos-service-configuration.json</c> and <c>active.buildinfo.full.json</c>.
/// The root must be fresh: activation is for build roots and bootstrap tarballs, not for swapping a live host.
/// </summary>
internal static class Activation
{
    private static readonly string[] WellKnownFolders = ["bin", "etc", "include", "lib"];
    private const string SystemdFolder = "dcos.target.wants";
    private const string ServiceConfiguration = "etc/dcos-service-configuration.json";
    /// <summary>Variables activation sets itself (from every package's bin/ and lib/); the loader refuses them in a buildinfo too.</summary>
    internal static readonly string[] ReservedVariables = ["LD_LIBRARY_PATH", "PATH"];

    /// <summary>Where a package lives in a root; unpack a dependency here before activating.</summary>
    public static string PackageFolder(string root, PackageId id) => Path.Combine(root, "packages", id.ToString());

    /// <summary>Unpacks <c>&lt;id&gt;.tar.xz</c> tarballs into the root's packages folder, then activates them.</summary>
    public static async Task<IReadOnlyList<InstalledPackage>> InstallAsync(string root, IEnumerable<string> tarballs,
        ActivationOptions options, CancellationToken cancellationToken = default)
    {
        var ids = new List<PackageId>();
        foreach (var tarball in tarballs)
            ids.Add(await UnpackAsync(root, tarball, cancellationToken).ConfigureAwait(false));
        return await ActivateAsync(root, ids, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Unpacks one <c>&lt;id&gt;.tar.xz</c> into the root's packages folder (which appears once whole) and returns its id;
    /// <see cref="ActivateAsync"/> then activates the packages unpacked, however long ago.
    /// </summary>
    public static async Task<PackageId> UnpackAsync(string root, string tarball, CancellationToken cancellationToken = default)
    {
        var fileName = Path.GetFileName(tarball);
        if (!fileName.EndsWith(".tar.xz", StringComparison.Ordinal) || !PackageId.TryParse(fileName[..^".tar.xz".Length], out var id))
            throw new BuildError($"{tarball}: a package tarball must be named <name>--<version>.tar.xz.");
        await Unpacker.UnpackAsync(tarball, PackageFolder(root, id!), cancellationToken).ConfigureAwait(false);
        return id!;
    }

    /// <summary>
    /// Puts a package just built (its tarball maybe still being packed) at <see cref="PackageFolder"/> from the entries of
    /// its result folder (<see cref="Packer.Entries"/>): the same tar as in its tarball goes straight into the unpacker,
    /// without xz either way, so the folder is what unpacking the tarball gives.
    /// </summary>
    public static async Task UnpackBuiltAsync(string root, PackageId id, IReadOnlyList<(string Name, FileSystemInfo Info)> entries, string shownAs,
        CancellationToken cancellationToken = default)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        var writing = Task.Run(async () =>
        {
            await using var writer = pipe.Writer.AsStream();
            try { await Packer.WriteTarAsync(entries, writer, cancellationToken: cancellationToken).ConfigureAwait(false); }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                throw;
            }
        }, cancellationToken);
        try
        {
            await using var reader = pipe.Reader.AsStream();
            await Unpacker.UnpackTarAsync(reader, PackageFolder(root, id), shownAs, cancellationToken).ConfigureAwait(false);
        }
        catch when (!writing.IsCompleted)
        {
            // The reader gave up first: the writer stops at its next write.
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try { await writing.ConfigureAwait(false); }
            catch (Exception) { /* the unpacker's error is the news */ }
            throw;
        }
        await writing.ConfigureAwait(false);
    }

    /// <summary>Activates packages already unpacked at <see cref="PackageFolder"/>; returns them in activation order.</summary>
    public static async Task<IReadOnlyList<InstalledPackage>> ActivateAsync(string root, IEnumerable<PackageId> ids,
        ActivationOptions options, CancellationToken cancellationToken = default)
    {
        root = Path.GetFullPath(root);
        var linkRoot = (options.LinkRoot ?? root).TrimEnd('/');
        // Sorted, so the environment files and any conflict message do not depend on the caller's order.
        var packages = ids.Distinct().Order().Select(id => InstalledPackage.Load(id, PackageFolder(root, id))).ToList();
        CheckCompatible(packages);

        var folders = options.SystemdUnits ? [.. WellKnownFolders, SystemdFolder] : WellKnownFolders;
        foreach (var name in folders.Append("active"))
        {
            var path = Path.Combine(root, name);
            if (Path.Exists(path)) throw new BuildError($"{path}: already exists; activation needs a fresh install root.");
            Directory.CreateDirectory(path);
        }

        var tree = new LinkTree(root, linkRoot, folders);
        foreach (var package in packages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var folder in folders)
            {
                tree.Merge(package, folder, folder);
                foreach (var role in options.Roles)
                    tree.Merge(package, $"{folder}_{role}", folder);
            }
            File.CreateSymbolicLink(Path.Combine(root, "active", package.Name), $"{linkRoot}/packages/{package.Id}");
        }

        // Plain writes, not AtomicFile's synced ones: an install root is a work folder (a build's scratch folder, a
        // bootstrap bundle's work folder) that is read only once it is whole and is deleted whole after a failure or by
        // the next run after a kill. The four syncs took 18 ms of the activation's 25 in the middle of a 5x6 tree (up to
        // 76 ms), on every dependant's path at every layer; written plainly, 1 ms.
        if (tree.Owner(ServiceConfiguration) is { } owner)
            throw new BuildError($"{owner.Package} provides {ServiceConfiguration} (as {owner.Source}), which activation writes itself.");
        await WriteAsync(Path.Combine(root, ServiceConfiguration), PlainJson.Pretty(ServiceConfigurationOf(packages)), cancellationToken).ConfigureAwait(false);
        var (environment, export) = EnvironmentFiles(packages, linkRoot);
        await WriteAsync(Path.Combine(root, "environment"), environment, cancellationToken).ConfigureAwait(false);
        await WriteAsync(Path.Combine(root, "environment.export"), export, cancellationToken).ConfigureAwait(false);
        var buildInfos = packages.ToDictionary(p => p.Name, p => p.FullBuildInfo, StringComparer.Ordinal);
        await WriteAsync(Path.Combine(root, "active.buildinfo.full.json"), PlainJson.Pretty(buildInfos), cancellationToken).ConfigureAwait(false);
        return packages;
    }

    /// <summary>A file of an install root; a fault of the file system names it (as <see cref="AtomicFile"/> does).</summary>
    private static Task WriteAsync(string path, string text, CancellationToken cancellationToken) =>
        FileSystemFault.GuardAsync(path, "write this file", () => File.WriteAllTextAsync(path, text, cancellationToken));

    /// <summary>The text of <c>environment</c> and <c>environment.export</c>, byte for byte as pkgpanda wrote them.</summary>
    internal static (string Environment, string Export) EnvironmentFiles(IReadOnlyList<InstalledPackage> packages, string linkRoot)
    {
        var environment = new StringBuilder()
            .Append("# Pkgpanda provided environment variables\n")
            .Append($"LD_LIBRARY_PATH={linkRoot}/lib\n")
            .Append($"PATH={linkRoot}/bin:/usr/bin:/bin:/sbin\n\n");
        var export = new StringBuilder()
            .Append("# Pkgpanda provided environment variables\n")
            .Append($"export LD_LIBRARY_PATH={linkRoot}/lib\n")
            .Append($"export PATH=\"{linkRoot}/bin:$PATH\"\n\n");
        foreach (var package in packages)
        {
            environment.Append($"# package: {package.Id}\n");
            export.Append($"# package: {package.Id}\n");
            foreach (var (key, value) in package.Environment)
            {
                environment.Append($"{key}={value}\n");
                export.Append($"export {key}={value}\n");
            }
            environment.Append('\n');
            export.Append('\n');
        }
        return (environment.ToString(), export.ToString());
    }

    /// <summary>
    /// <c>{"sysctl": {service: settings}}</c> for each service a package both ships a <c>.service</c> file for and
    /// declares sysctl settings for, as pkgpanda collected it.
    /// </summary>
    private static Dictionary<string, object?> ServiceConfigurationOf(IEnumerable<InstalledPackage> packages)
    {
        var sysctl = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var package in packages.Where(p => p.Sysctl.Count > 0))
        {
            var services = ServiceNames(package.Folder);
            if (services.Count == 0)
                throw new BuildError($"{package.Folder}: package {package.Id} declares sysctl settings but ships no .service file to name the service they are for.");
            foreach (var service in services)
                if (package.Sysctl.TryGetValue(service, out var settings))
                    sysctl[service] = settings;
        }
        return new Dictionary<string, object?>(StringComparer.Ordinal) { ["sysctl"] = sysctl };
    }

    /// <summary>
    /// Whether a build result can be activated (its pkginfo.json and buildinfo.full.json read, its sysctl settings name a
    /// service it ships): checked when it is built, so a script that broke them fails itself, not the packages requiring it.
    /// </summary>
    public static void CheckActivatable(PackageId id, string folder) => ServiceConfigurationOf([InstalledPackage.Load(id, folder)]);

    private static SortedSet<string> ServiceNames(string folder)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(folder)]);
        while (pending.TryPop(out var directory))
            foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
            {
                var isFolder = entry is DirectoryInfo;
                if (isFolder && entry.LinkTarget is null) pending.Push((DirectoryInfo)entry);
                else if (!isFolder && entry.Name.EndsWith(".service", StringComparison.Ordinal)) names.Add(entry.Name[..^".service".Length]);
            }
        return names;
    }

    /// <summary>pkgpanda's validate_compatible: one package per name, requires present, no clashing environment or sysctl.</summary>
    private static void CheckCompatible(IReadOnlyList<InstalledPackage> packages)
    {
        var byName = new Dictionary<string, InstalledPackage>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            if (byName.TryGetValue(package.Name, out var other))
                throw new BuildError($"Packages {other.Id} and {package.Id} cannot be activated together: both are package \"{package.Name}\".");
            byName[package.Name] = package;
            if (package.Group is not null && package.Username is null)
                throw new BuildError($"{package.Folder}/pkginfo.json: \"group\" = \"{package.Group}\": a group needs a \"username\" too.");
        }
        var setText = string.Join(", ", packages.Select(p => p.Id));
        var variables = new Dictionary<string, InstalledPackage>(StringComparer.Ordinal);
        var settings = new Dictionary<string, (object? Value, InstalledPackage Package)>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            foreach (var (name, variant) in package.Requires)
                if (!byName.ContainsKey(name))
                    throw new BuildError($"Package {package.Id} requires {name} (variant {Variant.Display(variant)}), which is not in the set being activated: {setText}.");
            foreach (var (key, _) in package.Environment)
            {
                if (ReservedVariables.Contains(key))
                    throw new BuildError($"{package.Folder}/pkginfo.json: \"environment\".\"{key}\": {string.Join(" and ", ReservedVariables)} are set by activation; a package cannot set them.");
                if (variables.TryGetValue(key, out var first))
                    throw new BuildError($"Packages {first.Id} and {package.Id} both set the environment variable {key}.");
                variables[key] = package;
            }
            foreach (var (service, values) in package.Sysctl)
                foreach (var (key, value) in values)
                {
                    if (settings.TryGetValue(key, out var seen) && !Equals(PlainJson.Pretty(seen.Value), PlainJson.Pretty(value)))
                        throw new BuildError($"Conflicting sysctl setting {key}: {seen.Package.Id} wants {PlainJson.Pretty(seen.Value)}, {package.Id} (service {service}) wants {PlainJson.Pretty(value)}.");
                    settings[key] = (value, package);
                }
        }
    }

    /// <summary>The merged well-known folders: real folders in the root, every file a link into the package that provides it.</summary>
    private sealed class LinkTree(string root, string linkRoot, IEnumerable<string> topFolders)
    {
        public sealed record Origin(PackageId Package, string Source);

        private readonly Dictionary<string, Origin> _owners = new(StringComparer.Ordinal);
        private readonly HashSet<string> _folders = new(topFolders, StringComparer.Ordinal);

        public Origin? Owner(string relative) => _owners.GetValueOrDefault(relative);

        /// <summary>Links everything under <paramref name="source"/> of the package into <paramref name="destination"/> of the root.</summary>
        public void Merge(InstalledPackage package, string source, string destination)
        {
            var folder = new DirectoryInfo(Path.Combine(package.Folder, source));
            if (!folder.Exists || folder.LinkTarget is not null) return;
            var children = folder.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 })
                .OrderBy(c => c.Name, StringComparer.Ordinal);
            foreach (var child in children)
            {
                var from = $"{source}/{child.Name}";
                var to = $"{destination}/{child.Name}";
                var isFolder = child is DirectoryInfo && child.LinkTarget is null;
                if (_owners.TryGetValue(to, out var owner) && !(isFolder && _folders.Contains(to)))
                    throw new BuildError(
                        $"Two packages provide {to}: {owner.Package} (its {owner.Source}) and {package.Id} (its {from}). " +
                        "A file in the well-known folders may come from one package, and one role, only.");
                if (isFolder)
                {
                    // A folder is merged, so several packages may add files to it; never a link, or one package could write into another.
                    if (_folders.Add(to))
                    {
                        Directory.CreateDirectory(Path.Combine(root, to));
                        _owners[to] = new Origin(package.Id, from);
                    }
                    Merge(package, from, to);
                }
                else
                {
                    File.CreateSymbolicLink(Path.Combine(root, to), $"{linkRoot}/packages/{package.Id}/{from}");
                    _owners[to] = new Origin(package.Id, from);
                }
            }
        }
    }
}
