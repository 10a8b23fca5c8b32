namespace Pkgpanda.Targets.Components;

/// <summary>Parameter values the binder cannot judge (it knows types, not meanings), checked before anything runs.</summary>
public abstract partial class PkgpandaBuild
{
    protected internal override void OnBuildCreated()
    {
        if (Parallel < 1)
            throw new TargetsException($"--parallel {Parallel}: must be at least 1 (how many packages build at once, in total; default: the CPUs the engines report).");
        if (string.IsNullOrWhiteSpace(PackagesDir))
            throw new TargetsException("--packages-dir needs a folder (the package tree), e.g. --packages-dir packages.");
        if (Variant is not null && Package is null)
            throw new TargetsException($"--variant {Variant} needs --package: a variant belongs to one package (e.g. --package mesos --variant {Variant}).");
        if (string.IsNullOrWhiteSpace(BuilderImage))
            throw new TargetsException("--builder-image needs an image name, e.g. --builder-image dcos/dcos-builder:dcos-builder_dockerdir-latest.");
    }
}
