namespace Pkgpanda.Targets;

/// <summary>
/// A target is declared as a property returning this delegate, as in NUKE:
/// <c>Target Compile => _ => _.DependsOn(Restore).Executes(() => ...);</c>
/// Two delegates from the same property compare equal (same method, same instance), which is how
/// references in DependsOn find their definitions.
/// </summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);
