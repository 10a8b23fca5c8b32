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
        var properties = build.GetType()
            .GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.PropertyType == typeof(Target))
            // A component's targets (declared in a base class) come first, each in declaration order; an override
            // keeps the place of the target it replaces.
            .Select(p => (Property: p, Declared: p.GetMethod!.GetBaseDefinition()))
            .OrderBy(p => Depth(p.Declared.DeclaringType!))
            .ThenBy(p => p.Declared.MetadataToken)
            .Select(p => p.Property)
            .ToList();
        var byDelegate = new Dictionary<Target, ExecutableTarget>();
        foreach (var property in properties)
        {
            var target = (Target)property.GetValue(build)!;
            var definition = new TargetDefinition(property.Name);
            target(definition);
            var executable = new ExecutableTarget(definition, property.Name == defaultTarget);
            byDelegate[target] = executable;
            All.Add(executable);
        }
        if (defaultTarget is not null && All.All(t => t.Name != defaultTarget))
            throw new TargetsException($"The default target {defaultTarget} is not a target of {build.GetType().Name}.");

        ExecutableTarget Resolve(Target t, ExecutableTarget from) =>
            byDelegate.TryGetValue(t, out var e) ? e : throw new TargetsException($"Target {from.Name} refers to a target that is not a property of {build.GetType().Name}.");

        foreach (var e in All)
        {
            var d = e.Definition;
            foreach (var t in d.DependsOnTargets) AddOnce(e.ExecutionDependencies, Resolve(t, e));
            foreach (var t in d.DependentForTargets) AddOnce(Resolve(t, e).ExecutionDependencies, e);
            foreach (var t in d.AfterTargets) AddOnce(e.OrderDependencies, Resolve(t, e));
            foreach (var t in d.BeforeTargets) AddOnce(Resolve(t, e).OrderDependencies, e);
            foreach (var t in d.TriggersTargets) AddOnce(e.Triggers, Resolve(t, e));
            foreach (var t in d.TriggeredByTargets) AddOnce(Resolve(t, e).Triggers, e);
        }
        Default = All.FirstOrDefault(t => t.IsDefault);
    }

    /// <summary>Targets in declaration order, then package nodes (once added) in the order given.</summary>
    public List<ExecutableTarget> All { get; } = [];

    public IEnumerable<ExecutableTarget> Targets => All.Where(t => t.Package is null);

    public IEnumerable<ExecutableTarget> Packages => All.Where(t => t.Package is not null);

    public ExecutableTarget? Default { get; }

    /// <summary>The targets declared with <see cref="ITargetDefinition.Packages"/>.</summary>
    public IEnumerable<ExecutableTarget> PackageParents => Targets.Where(t => t.Definition.PackageAction is not null);

    /// <summary>Case-, dash- and underscore-insensitive lookup (NUKE accepts <c>build</c>, <c>Build</c>, <c>b-uild</c>).</summary>
    public ExecutableTarget? Find(string name) =>
        Targets.FirstOrDefault(t => Arguments.Normalize(t.Name) == Arguments.Normalize(name));

    /// <summary>
    /// Adds one node per package under every <see cref="PackageParents"/> target: a node needs its requires' nodes
    /// and the parent's own dependencies (e.g. the engine's setup); the parent needs all of its nodes.
    /// </summary>
    public void AddPackages(IReadOnlyList<PackageNode> packages)
    {
        if (Packages.Any()) throw new InvalidOperationException("Package nodes were already added.");
        foreach (var parent in PackageParents.ToList())
        {
            var parentDependencies = parent.ExecutionDependencies.ToList();
            var byKey = new Dictionary<string, ExecutableTarget>(StringComparer.Ordinal);
            foreach (var package in packages)
            {
                var definition = new TargetDefinition(package.Key);
                definition.Executes(ct => parent.Definition.PackageAction!(package, ct));
                var node = new ExecutableTarget(definition, isDefault: false, package);
                if (!byKey.TryAdd(package.Key, node)) throw new TargetsException($"Package {package.Key} is listed twice.");
                node.ExecutionDependencies.AddRange(parentDependencies);
                All.Add(node);
            }
            foreach (var package in packages)
            {
                var node = byKey[package.Key];
                foreach (var require in package.Requires)
                    AddOnce(node.ExecutionDependencies, byKey.TryGetValue(require, out var r) ? r
                        : throw new TargetsException($"Package {package.Key} requires {require}, which is not in the selection."));
                AddOnce(parent.ExecutionDependencies, node);
            }
        }
    }

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
