using Pkgpanda.Core;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.Targets.Components;

/// <summary>Parameter values the binder cannot judge (it knows types, not meanings), checked before anything runs.</summary>
public abstract partial class PkgpandaBuild
{
    protected internal override void OnBuildCreated()
    {
        if (Parallel < 1)
            throw new TargetsException($"--parallel {Parallel}{SetBy(nameof(Parallel))}: must be at least 1 (how many packages build at once, in total; default: the CPUs the engines report).");
        if (string.IsNullOrWhiteSpace(PackagesDir))
            throw new TargetsException("--packages-dir needs a folder (the package tree), e.g. --packages-dir packages.");
        if (Variant is not null && Package is null)
            throw new TargetsException($"--variant {Variant} needs --package: a variant belongs to one package (e.g. --package mesos --variant {Variant}).");
        if (string.IsNullOrWhiteSpace(BuilderImage))
            throw new TargetsException("--builder-image needs an image name, e.g. --builder-image dcos/dcos-builder:dcos-builder_dockerdir-latest.");
        // Checked here, so a mistake is one usage error before any target runs, not a failure deep in Setup or Build.
        if (!Pkgpanda.Core.Model.ImageReference.IsValid(BuilderImage))
            throw new TargetsException($"--builder-image {BuilderImage}{SetBy(nameof(BuilderImage))}: not a Docker image name; write [registry/]name[:tag] in lower case, e.g. dcos/dcos-builder:latest.");
        try { _ = EngineAddress.ParseAll(DockerHost); }
        catch (BuildError error)
        {
            throw new TargetsException($"--docker-host{SetBy(nameof(DockerHost))}: {error.Message.Replace("EngineAddress.ParseAll(addresses): ", "", StringComparison.Ordinal)}");
        }
        if (RepositoryUrl is { } url)
            try { Pkgpanda.Core.Repositories.PackageRepository.Check(url); }
            catch (BuildError error)
            {
                throw new TargetsException($"--repository-url {url}{SetBy(nameof(RepositoryUrl))}: a repository is http(s)://..., file://... or a folder. {error.Message}");
            }
    }
}
