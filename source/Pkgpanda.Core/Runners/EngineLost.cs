namespace Pkgpanda.Core.Runners;

/// <summary>
/// The engine stopped answering while a step ran on it. Not the package's fault: the caller may run the package
/// again on another engine. Told as its message (the address and the cause) when nothing is left to retry on.
/// </summary>
internal sealed class EngineLost(string address, string cause, Exception? inner = null)
    : Exception($"The Docker engine at {address} stopped answering: {cause}", inner)
{
    public string Address { get; } = address;

    /// <summary>Why, in a few words ("Connection refused (while waiting for ...)").</summary>
    public string Cause { get; } = cause;
}
