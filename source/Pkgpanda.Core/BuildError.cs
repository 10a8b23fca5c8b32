namespace Pkgpanda.Core;

/// <summary>
/// A mistake in the user's input (a tree, a buildinfo, a treeinfo, a parameter), reported as its message alone,
/// without a stack trace. Carries where it was found so the message can point at the file and the field.
/// Faults of the machine are <see cref="EnvironmentFault"/>; anything else that escapes is our bug.
/// </summary>
public sealed class BuildError : Exception
{
    public BuildError(string message) : base(message) { }

    public BuildError(string message, Exception inner) : base(message, inner) { }

    public BuildError(string file, string field, string found, string problem)
        : base($"{file}: {field} = {found}: {problem}")
    {
        File = file;
        Field = field;
        Found = found;
    }

    public string? File { get; }
    public string? Field { get; }
    public string? Found { get; }

    /// <summary>True for the errors that are told as their message alone: a user's mistake or a fault of the environment.</summary>
    public static bool IsExpected(Exception exception) => exception is BuildError or EnvironmentFault or Runners.EngineLost;
}
