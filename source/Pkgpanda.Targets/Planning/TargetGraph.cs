using System.Reflection;

namespace Pkgpanda.Targets;

/// <summary>
/// All targets of a build class, with their relations resolved. Built by invoking every <see cref="Target"/>
/// property once; delegates from the same property compare equal, so references resolve by equality.
/// </summary>
internal sealed class TargetGraph
{
    public TargetGraph(object build, string? defaultTarget)
    {
        // A component's targets (declared in a base class) come first, each in declaration order; an override keeps the
        // place of the target it replaces. (A plain sort of a class: LINQ's over a tuple is compiled at every start.)
        var properties = new List<TargetProperty>();
        foreach (var p in build.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (p.PropertyType != typeof(Target)) continue;
            var declared = p.GetMethod!.GetBaseDefinition();
            properties.Add(new TargetProperty(p, Depth(declared.DeclaringType!), declared.MetadataToken));
        }
        properties.Sort((a, b) => a.Depth != b.Depth ? a.Depth.CompareTo(b.Depth) : a.Token.CompareTo(b.Token));
        var byDelegate = new Dictionary<Target, ExecutableTarget>();
        foreach (var (property, _, _) in properties)
        {
            var target = Get(build, property);
            var definition = new TargetDefinition(property.Name);
            target(definition);
            var executable = new ExecutableTarget(definition, property.Name == defaultTarget);
            byDelegate[target] = executable;
            Targets.Add(executable);
        }
        if (defaultTarget is not null && Targets.All(t => t.Name != defaultTarget))
            throw new TargetsException($"The default target {defaultTarget} is not a target of {build.GetType().Name}.");

        ExecutableTarget Resolve(Target t, ExecutableTarget from) =>
            byDelegate.TryGetValue(t, out var e) ? e : throw new TargetsException($"Target {from.Name} refers to a target that is not a property of {build.GetType().Name}.");

        foreach (var e in Targets)
        {
            var d = e.Definition;
            foreach (var t in d.DependsOnTargets) AddOnce(e.ExecutionDependencies, Resolve(t, e));
            foreach (var t in d.DependentForTargets) AddOnce(Resolve(t, e).ExecutionDependencies, e);
            foreach (var t in d.AfterTargets) AddOnce(e.OrderDependencies, Resolve(t, e));
            foreach (var t in d.BeforeTargets) AddOnce(Resolve(t, e).OrderDependencies, e);
            foreach (var t in d.TriggersTargets) AddOnce(e.Triggers, Resolve(t, e));
            foreach (var t in d.TriggeredByTargets) AddOnce(Resolve(t, e).Triggers, e);
        }
        Default = Targets.FirstOrDefault(t => t.IsDefault);
    }

    /// <summary>The name of the target property of <paramref name="build"/> whose delegate equals <paramref name="target"/>.</summary>
    public static string? PropertyOf(object build, Target target) =>
        build.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.PropertyType == typeof(Target) && p.GetIndexParameters().Length == 0)
            .FirstOrDefault(p => target.Equals(Get(build, p)))?.Name;

    /// <summary>
    /// A target property's value through a delegate bound to its getter: reflection's GetValue compiles an invoke
    /// stub for each getter called twice (the host reads them twice), which costs a run milliseconds.
    /// </summary>
    private static Target Get(object build, PropertyInfo property) =>
        ((Func<Target>)Delegate.CreateDelegate(typeof(Func<Target>), build, property.GetMethod!))();

    /// <summary>Targets in declaration order.</summary>
    public List<ExecutableTarget> Targets { get; } = [];

    public ExecutableTarget? Default { get; }

    /// <summary>Case-, dash- and underscore-insensitive lookup (NUKE accepts <c>build</c>, <c>Build</c>, <c>b-uild</c>).</summary>
    public ExecutableTarget? Find(string name) =>
        Targets.FirstOrDefault(t => Arguments.Normalize(t.Name) == Arguments.Normalize(name));

    private sealed record TargetProperty(PropertyInfo Property, int Depth, int Token);

    private static int Depth(Type type)
    {
        var depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType) depth++;
        return depth;
    }

    private static void AddOnce(List<ExecutableTarget> list, ExecutableTarget t)
    {
        if (!list.Contains(t)) list.Add(t);
    }
}
