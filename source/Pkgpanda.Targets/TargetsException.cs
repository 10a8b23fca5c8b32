namespace Pkgpanda.Targets;

/// <summary>A mistake in how the build was invoked or declared (unknown target, cycle, bad parameter).</summary>
internal sealed class TargetsException(string message) : Exception(message);
