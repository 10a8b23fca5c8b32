using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Building;

/// <summary>
/// The result folders of packages whose scripts are done and whose results passed their checks, while their tarballs
/// are still being packed: a dependant starts from one of these (<see cref="Packaging.Activation.UnpackBuiltAsync"/>)
/// instead of waiting for the tarball, which took the packing, the records and an unpack off every layer's path.
/// A folder stays until the tarball is in the cache and no dependant is copying from it.
/// </summary>
internal sealed class BuiltResults
{
    private readonly Dictionary<PackageId, Entry> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>Offers a package's checked result (its folder listed by <see cref="Packaging.Packer.Entries"/>); withdraw it with <see cref="Withdraw"/>.</summary>
    public void Offer(PackageId id, IReadOnlyList<(string Name, FileSystemInfo Info)> entries)
    {
        lock (_lock) _entries[id] = new Entry(entries);
    }

    /// <summary>Whether the package is offered now.</summary>
    public bool Offers(PackageId id)
    {
        lock (_lock) return _entries.ContainsKey(id);
    }

    /// <summary>
    /// Copies the package into the install root while it is offered; false when it is not (its tarball is in the cache
    /// by then, or its build failed).
    /// </summary>
    public async Task<bool> TryUnpackAsync(string root, PackageId id, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out entry)) return false;
            entry.Readers++;
        }
        try
        {
            await Packaging.Activation.UnpackBuiltAsync(root, id, entry.Entries, entry.Entries[0].Info.FullName, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            lock (_lock)
                if (--entry.Readers == 0 && entry.Withdrawn) entry.Idle.TrySetResult();
        }
    }

    /// <summary>No dependant starts a copy from now on; the task ends once the copies under way have (the folder may go then).</summary>
    public Task Withdraw(PackageId id)
    {
        lock (_lock)
        {
            if (!_entries.Remove(id, out var entry)) return Task.CompletedTask;
            entry.Withdrawn = true;
            if (entry.Readers == 0) entry.Idle.TrySetResult();
            return entry.Idle.Task;
        }
    }

    private sealed class Entry(IReadOnlyList<(string Name, FileSystemInfo Info)> entries)
    {
        public IReadOnlyList<(string Name, FileSystemInfo Info)> Entries { get; } = entries;
        public int Readers;
        public bool Withdrawn;
        public TaskCompletionSource Idle { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
