namespace Pkgpanda.EndToEnd.Tests;

/// <summary>Tests that drive the Docker engine run one class at a time: the machine has two cores.</summary>
[CollectionDefinition("docker", DisableParallelization = false)]
public sealed class DockerCollection;
