namespace Pkgpanda.Core.Repositories;

/// <summary>
/// The repository did not answer (connection refused or broken, server errors after retries, missing folder).
/// Downloads treat it as a warning and build instead; publishing turns it into a <see cref="BuildError"/>.
/// The message names the url but never a credential.
/// </summary>
internal sealed class RepositoryUnavailableException(string message) : Exception(message);
