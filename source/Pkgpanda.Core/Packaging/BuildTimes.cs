using System.Globalization;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// How long each package took the last time it was built, kept in the cache beside its <c>latest</c> pointer
/// (<c>packages/&lt;name&gt;/[&lt;variant&gt;.]build-time</c>, seconds): a later run of the same package, whatever its id
/// has become, estimates its time from it. Written atomically; a missing or damaged record is no estimate, never an error.
/// </summary>
public sealed class BuildTimes(PackageCache cache)
{
    public string PathOf(PackageKey key) => Path.Combine(cache.PackageFolder(key.Name), Variant.Prefix(key.Variant) + "build-time");

    public TimeSpan? Read(PackageKey key)
    {
        try
        {
            return double.TryParse(File.ReadAllText(PathOf(key)).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                   && seconds >= 0 && double.IsFinite(seconds) && seconds < TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromSeconds(seconds) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Records a build's time; a record that cannot be written costs only the next estimate, not the package just built.</summary>
    public void Write(PackageKey key, TimeSpan duration)
    {
        try { AtomicFile.WriteAllText(PathOf(key), duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "\n"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EnvironmentFault) { }
    }
}
