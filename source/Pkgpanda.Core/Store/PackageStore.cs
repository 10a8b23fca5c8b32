using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Store;

/// <summary>
/// A loaded package tree: every package folder with its variants, its own builder (<c>docker/</c>) and the
/// tree variants (<c>treeinfo.json</c>). Loading reads and validates everything, so a mistake anywhere in
/// the tree is reported before any work starts.
/// </summary>
public sealed class PackageStore
{
    private readonly Dictionary<PackageKey, BuildInfo> _packages;
    private readonly Dictionary<string, string> _folders;
    private readonly Dictionary<string, string> _builders;

    private PackageStore(string packagesDir, Dictionary<PackageKey, BuildInfo> packages, Dictionary<string, string> folders,
        Dictionary<string, string> builders, IReadOnlyList<TreeInfo> trees, IReadOnlyList<string> warnings)
    {
        PackagesDir = packagesDir;
        _packages = packages;
        _folders = folders;
        _builders = builders;
        Trees = trees;
        Warnings = warnings;
    }

    /// <summary>What loading noticed and let pass, as pkgpanda does, but a user likely did not mean (a misnamed variant file, no package at all).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public string PackagesDir { get; }
    public string CacheDir => CacheDirOf(PackagesDir);

    /// <summary>Where the cache of a tree is, without loading the tree (Clean must work on a broken one).</summary>
    public static string CacheDirOf(string packagesDir) => Path.Combine(Path.GetFullPath(packagesDir), "cache");

    /// <summary>
    /// Tree variants (<c>[variant.]treeinfo.json</c>), default first. Empty for a plain package store: a folder without
    /// any treeinfo file, whose packages are every (name, variant) in it (pkgpanda's <c>PackageStore</c>).
    /// </summary>
    public IReadOnlyList<TreeInfo> Trees { get; }

    /// <summary>True when the folder declares no tree variant (no treeinfo file): tree rules do not apply.</summary>
    public bool IsPlainStore => Trees.Count == 0;

    public IEnumerable<BuildInfo> Packages => _packages.Values.OrderBy(b => b.Key);

    /// <summary>Every (name, variant) in the store.</summary>
    public IEnumerable<PackageKey> Keys => _packages.Keys.Order();

    public IEnumerable<string> Names => _folders.Keys.Order(StringComparer.Ordinal);

    /// <summary>Package name -> its <c>docker/</c> folder, for packages that define their own builder image.</summary>
    public IReadOnlyDictionary<string, string> Builders => _builders;

    public bool Contains(PackageKey key) => _packages.ContainsKey(key);


    public BuildInfo Get(PackageKey key) =>
        _packages.TryGetValue(key, out var info) ? info : throw new BuildError(Capitalized(DescribeMissing(key)));

    public IEnumerable<string?> VariantsOf(string name) =>
        _packages.Keys.Where(k => k.Name == name).Select(k => k.Variant).Order(Comparer<string?>.Create(Variant.Compare));

    public string FolderOf(string name) => _folders[name];

    /// <summary>Why <paramref name="key"/> is not in the store, as a clause ("there is no package ..."), to end a sentence.</summary>
    public string DescribeMissing(PackageKey key)
    {
        if (!_folders.ContainsKey(key.Name))
            return $"there is no package \"{key.Name}\" in {Shown(PackagesDir)}" + Suggest(key.Name);
        var have = string.Join(", ", VariantsOf(key.Name).Select(Variant.Display));
        // Named as a file name in an existing folder: a message never names a path that does not exist.
        return $"package \"{key.Name}\" has no variant {Variant.Display(key.Variant)} (it has: {have}; " +
               $"there is no {Variant.Prefix(key.Variant)}buildinfo.json in {Shown(FolderOf(key.Name))}).";
    }

    public static string Capitalized(string clause) => clause.Length == 0 ? clause : char.ToUpperInvariant(clause[0]) + clause[1..];

    private string Suggest(string name)
    {
        var close = Names.Where(n => n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n, StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        return close.Count > 0 ? $"; did you mean {string.Join(", ", close.Select(c => $"\"{c}\""))}?" : ".";
    }

    /// <summary>Paths in messages are shown relative to the working directory when inside it.</summary>
    public static string Shown(string path)
    {
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    /// <summary>Loads and validates a whole tree. <paramref name="extraPackageDirs"/> (an upstream's packages) only add packages the tree lacks.</summary>
    public static PackageStore Load(string packagesDir, IEnumerable<string>? extraPackageDirs = null)
    {
        packagesDir = Path.GetFullPath(packagesDir);
        if (File.Exists(packagesDir))
            throw new BuildError($"The packages folder {Shown(packagesDir)} is a file, not a folder; pass the folder holding the packages (PackageStore.Load(packagesDir)).");
        if (!Directory.Exists(packagesDir))
            throw new BuildError($"The packages folder {Shown(packagesDir)} does not exist (PackageStore.Load(packagesDir)).");
        try { return LoadFolders(packagesDir, extraPackageDirs); }
        catch (UnauthorizedAccessException ex)
        {
            throw new EnvironmentFault($"{Shown(packagesDir)}: a folder of the tree cannot be read: permission denied ({ex.Message}).", ex);
        }
    }

    private static PackageStore LoadFolders(string packagesDir, IEnumerable<string>? extraPackageDirs)
    {

        var packages = new Dictionary<PackageKey, BuildInfo>();
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        var builders = new Dictionary<string, string>(StringComparer.Ordinal);
        var warnings = new List<string>();

        foreach (var dir in new[] { packagesDir }.Concat(extraPackageDirs ?? []))
        {
            foreach (var folder in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(folder);
                if (folders.ContainsKey(name)) continue;
                if (dir == packagesDir && name == "cache") continue;
                // .NET shows bytes that are not UTF-8 as U+FFFD, and then cannot open the folder by that name.
                if (name.Contains('\uFFFD') && !Directory.Exists(folder))
                    throw new BuildError($"{Shown(folder)}: a folder whose name is not UTF-8 (the bad bytes shown as \uFFFD); package folder names match " +
                                         $"{PackageName.NamePattern}: rename it, or move it out of {Shown(dir)}.");
                var variants = VariantFiles(folder, "buildinfo.json", warnings);
                if (variants.Count == 0) continue;
                if (!PackageName.IsValid(name))
                    throw new BuildError($"{Shown(folder)}: invalid package name \"{name}\"; package folder names match {PackageName.NamePattern} without \"--\".");
                if (name.Length > PackageName.MaxNameLength)
                    throw new BuildError($"{Shown(folder)}: the package name is {name.Length} characters long; at most {PackageName.MaxNameLength} fit, since its tarballs and their " +
                                         $"temporary files are named <name>--<40 hex>.tar.xz... within the 255 bytes a file name may have. Give the folder a shorter name.");
                folders[name] = folder;
                var docker = Path.Combine(folder, "docker");
                if (Directory.Exists(docker)) builders[name] = docker;
                foreach (var (variant, file) in variants)
                {
                    var info = BuildInfoLoader.Load(file, Shown(file), folder, name, variant);
                    packages[info.Key] = info;
                }
            }
        }

        var trees = new List<TreeInfo>();
        var treeFiles = VariantFiles(packagesDir, "treeinfo.json");
        treeFiles.Sort((a, b) => Variant.Compare(a.Variant, b.Variant));
        foreach (var (variant, file) in treeFiles)
            trees.Add(TreeInfoLoader.Load(file, Shown(file), variant));

        if (packages.Count == 0)
        {
            // The wrong folder, most likely (e.g. the repository's root instead of its packages/).
            var inner = Directory.EnumerateDirectories(packagesDir).Where(d => Directory.EnumerateDirectories(d).Any(p => File.Exists(Path.Combine(p, "buildinfo.json"))))
                .Order(StringComparer.Ordinal).Select(Shown).FirstOrDefault();
            warnings.Add($"The packages folder {Shown(packagesDir)} holds no package (no folder in it has a buildinfo.json)" +
                         (inner is null ? "." : $"; did you mean {inner}?"));
        }
        return new PackageStore(packagesDir, packages, folders, builders, trees, warnings);
    }

    /// <summary>The longest variant name: the cache's <c>.&lt;variant&gt;.build-time.&lt;pid&gt;.&lt;32 hex&gt;.tmp</c> then stays within 255 bytes.</summary>
    internal const int MaxVariantLength = 150;

    /// <summary>
    /// Finds <c>X</c> and <c>&lt;variant&gt;.X</c> files; <c>.X</c> is refused as pkgpanda refuses it, and so is a folder
    /// named like one (it would otherwise make a package or a tree variant vanish without a word).
    /// </summary>
    /// <param name="warnings">Where a file named the wrong way round (<c>buildinfo.&lt;variant&gt;.json</c>) is told: pkgpanda
    /// does not read it either, so it is not an error.</param>
    internal static List<(string? Variant, string File)> VariantFiles(string folder, string suffix, List<string>? warnings = null)
    {
        var result = new List<(string?, string)>();
        var stem = suffix[..^".json".Length] + ".";
        foreach (var file in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(file);
            if (warnings is not null && fileName.Length > stem.Length + ".json".Length && fileName.StartsWith(stem, StringComparison.Ordinal) &&
                fileName.EndsWith(".json", StringComparison.Ordinal) && File.Exists(file))
                warnings.Add($"{Shown(file)}: not read: a variant's file is named \"<variant>.{suffix}\" (\"{fileName[stem.Length..^".json".Length]}.{suffix}\" here).");
            if (!fileName.EndsWith(suffix, StringComparison.Ordinal)) continue;
            if (Directory.Exists(file))
                throw new BuildError($"{Shown(file)}: is a folder, not a file; \"{fileName}\" must be a JSON file (an empty file means {{}}).");
            var prefix = fileName[..^suffix.Length];
            if (prefix.Length == 0) { result.Add((null, file)); continue; }
            if (prefix == ".")
                throw new BuildError($"{Shown(file)}: invalid file name \"{fileName}\"; the default variant's file is just \"{suffix}\", a variant's is \"<variant>.{suffix}\".");
            if (!prefix.EndsWith('.'))
                throw new BuildError($"{Shown(file)}: invalid variant file name \"{fileName}\"; expected \"<variant>.{suffix}\" with a '.' before \"{suffix}\".");
            if (prefix.Length - 1 > MaxVariantLength)
                throw new BuildError($"{Shown(file)}: the variant name is {prefix.Length - 1} characters long; at most {MaxVariantLength} fit, since the cache names files " +
                                     $"after it (<variant>.latest, and their temporary files) within the 255 bytes a file name may have. Give the variant a shorter name.");
            result.Add((prefix[..^1], file));
        }
        return result;
    }
}
