namespace Pkgpanda.Core.Repositories;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, unlike <see cref="Progress{T}"/> which posts to a
/// synchronization context: events arrive in order and before the operation that caused them returns.
/// </summary>
internal sealed class Relay<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
