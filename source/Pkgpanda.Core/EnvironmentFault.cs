namespace Pkgpanda.Core;

/// <summary>
/// A fault of the environment, not of the input: the engine is down or refuses, an image is missing, a path is
/// not writable, the disk is full, a server does not answer. Reported as its message alone (which names the path
/// or address and the cause), without a stack trace; the inner exception keeps the detail for --verbose.
/// </summary>
public sealed class EnvironmentFault : Exception
{
    public EnvironmentFault(string message) : base(message) { }

    public EnvironmentFault(string message, Exception inner) : base(message, inner) { }
}
