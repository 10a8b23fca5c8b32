using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Hashing;

/// <summary>The ids that could be computed, and why the others could not.</summary>
public sealed record IdResult(IReadOnlyDictionary<PackageKey, PackagePlan> Plans, IReadOnlyDictionary<PackageKey, Unresolved> Unresolved);

/// <summary>Why a package has no id: its own reason, and the require that caused it (null when it is the cause).</summary>
public sealed record Unresolved(string Reason, PackageKey? Cause);
