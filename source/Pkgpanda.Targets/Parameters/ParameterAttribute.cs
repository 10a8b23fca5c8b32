namespace Pkgpanda.Targets;

/// <summary>Marks a field or property of the build class as a parameter (<c>--kebab-case</c>, env, parameters.json).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ParameterAttribute(string? description = null) : Attribute
{
    public string? Description { get; } = description;
    public string? Name { get; set; }
    public char Separator { get; set; } = ' ';
}
