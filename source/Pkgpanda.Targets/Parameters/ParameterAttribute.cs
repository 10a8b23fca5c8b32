namespace Pkgpanda.Targets;

/// <summary>Marks a field or property of the build class as a parameter (<c>--kebab-case</c>, env, parameters.json).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ParameterAttribute(string? description = null) : Attribute
{
    public string? Description { get; } = description;
    public string? Name { get; set; }
    public char Separator { get; set; } = ' ';
    /// <summary>What the value is, for messages: "a folder" gives "--packages-dir needs a folder" (default: its type).</summary>
    public string? Value { get; set; }

    /// <summary>
    /// A file or folder: a relative value from the command line or the environment is made absolute against the
    /// current directory, one from <c>.nuke/parameters.json</c> against the root (as the user wrote it, where they wrote it).
    /// </summary>
    public bool IsPath { get; set; }
}
