namespace Pkgpanda.Core.Runners;

/// <summary>
/// The engine stopped answering while a step ran on it. Not the package's fault: the caller may run the package
/// again on another engine. Told as its message (the address and the cause) when nothing is left to retry on.
/// </summary>
/// <param name="failure">What became of it, for the message: it "stopped answering", or "cannot be used" (it answers,
/// but refuses what every step there needs, e.g. the builder image on a full disk).</param>
internal sealed class EngineLost(string address, string cause, Exception? inner = null, string failure = "stopped answering")
    : Exception($"The Docker engine at {address} {failure}: {cause}", inner)
{
    public string Address { get; } = address;

    /// <summary>Why, in a few words ("Connection refused (while waiting for ...)").</summary>
    public string Cause { get; } = cause;
}
