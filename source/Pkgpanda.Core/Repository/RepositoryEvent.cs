namespace Pkgpanda.Core.Repositories;

/// <summary>What downloads and publishing report while they run; the front end renders them. Never carries a credential.</summary>
public abstract record RepositoryEvent(string RelativePath);

/// <summary>Bytes moved so far for one object (<see cref="Total"/> is the object's size when known).</summary>
internal sealed record TransferProgress(string RelativePath, long Done, long? Total, bool Upload) : RepositoryEvent(RelativePath);

public sealed record Downloaded(string RelativePath, long Bytes) : RepositoryEvent(RelativePath);

public sealed record NotInRepository(string RelativePath) : RepositoryEvent(RelativePath);

public sealed record Uploaded(string RelativePath, long Bytes) : RepositoryEvent(RelativePath);

/// <summary>The repository already holds this object with the same sha256.</summary>
public sealed record SkippedIdentical(string RelativePath) : RepositoryEvent(RelativePath);

/// <summary>A transient failure that will be retried, or a repository that does not answer (then the package is built).</summary>
public sealed record RepositoryWarning(string RelativePath, string Text) : RepositoryEvent(RelativePath);
