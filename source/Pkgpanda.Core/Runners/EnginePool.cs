namespace Pkgpanda.Core.Runners;

/// <summary>An engine of the pool: where steps run, where their images are, and how many steps it runs at once.</summary>
public sealed record PoolEngine(IRunner Runner, IImageStore Images, int Capacity)
{
    public string Address => Runner.Address;
}

/// <summary>
/// The engines a run builds on (Nix's remote builders, BuildKit's nodes, on plain Docker engines). Each ready package
/// takes a free slot, preferring an engine that already holds its builder image; the image is copied to the others
/// with save/load, which keeps its id, so a package has the same id wherever it is built. An engine that stops
/// answering is left out for the rest of the run (its packages are built again elsewhere by the caller).
/// </summary>
public sealed class EnginePool
{
    private readonly List<Slot> _slots;
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();

    public EnginePool(IReadOnlyList<PoolEngine> engines)
    {
        if (engines.Count == 0) throw new ArgumentException("A pool needs at least one engine.", nameof(engines));
        _slots = engines.Select(e => new Slot(e)).ToList();
    }

    /// <summary>A pool of one engine that runs steps and holds images.</summary>
    public static EnginePool Of<T>(T engine, int capacity) where T : IRunner, IImageStore => new([new PoolEngine(engine, engine, capacity)]);

    /// <summary>
    /// Asks every engine at once; one that does not answer is reported and left out, and a pool with none left is an
    /// <see cref="EnvironmentFault"/> naming each address and why. Capacity is the given one, else the engine's CPUs.
    /// </summary>
    public static async Task<EnginePool> OpenAsync(IReadOnlyList<(DockerRunner Engine, int? Capacity)> engines, IProgress<string> report, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(engines.Select(async e =>
        {
            if (await e.Engine.TryPingAsync(cancellationToken).ConfigureAwait(false) is { } cause) return (e.Engine, Capacity: 0, Cause: cause);
            try { return (e.Engine, Capacity: e.Capacity ?? await e.Engine.CpusAsync(cancellationToken).ConfigureAwait(false), Cause: (string?)null); }
            catch (Exception ex) when (ex is EngineLost or EnvironmentFault) { return (e.Engine, Capacity: 0, Cause: ex.Message); }
        })).ConfigureAwait(false);
        var live = answers.Where(a => a.Cause is null).ToList();
        // With none left, the error below names them all: no warning first that the build goes on without one.
        if (live.Count > 0)
            foreach (var (engine, _, cause) in answers.Where(a => a.Cause is not null))
                report.Report($"The Docker engine at {engine.Address} does not answer ({cause}); building without it.");
        if (live.Count == 0)
            throw new EnvironmentFault(engines.Count == 1
                ? $"No Docker engine answers at {answers[0].Engine.Address}: {answers[0].Cause}. Start it, or name an engine that runs (EngineAddress.ParseAll(addresses))."
                : "No Docker engine answers: " + string.Join("; ", answers.Select(a => $"{a.Engine.Address} ({a.Cause})")) + ". Start one, or name engines that run (EngineAddress.ParseAll(addresses)).");
        return new EnginePool(live.Select(a => new PoolEngine(a.Engine, a.Engine, a.Capacity)).ToList());
    }

    /// <summary>The engines still in the pool, in the order given.</summary>
    public IReadOnlyList<PoolEngine> Engines { get { lock (_gate) return _slots.Where(s => s.Lost is null).Select(s => s.Engine).ToList(); } }

    /// <summary>Where builder images are made and package ids' image ids come from: the first engine that answered.</summary>
    public PoolEngine Primary => _slots[0].Engine;

    /// <summary>How many steps the pool runs at once: the sum of its engines' capacities.</summary>
    public int Capacity => Engines.Sum(e => e.Capacity);

    /// <summary>
    /// Checks that no engine holds a different image under a name the run uses: package ids name the primary's image
    /// ids, so a build there would be a different package under the same id. Missing images are copied when first needed.
    /// </summary>
    public async Task CheckImagesAsync(IEnumerable<(string Name, string Id)> images, CancellationToken cancellationToken)
    {
        var wanted = images.Distinct().ToList();
        foreach (var slot in _slots.Skip(1).Where(s => s.Lost is null))
            foreach (var (name, id) in wanted)
            {
                var there = await slot.Engine.Images.TryGetImageIdAsync(name, cancellationToken).ConfigureAwait(false);
                if (there is null) continue;
                if (there != id)
                    throw new EnvironmentFault($"The Docker engine at {slot.Engine.Address} holds a different image under {name}: {Short(there)} there, " +
                                               $"{Short(id)} at {Primary.Address} (which the package ids name). Builds there would not match their ids. " +
                                               $"Remove or retag it there (`docker rmi {name}`), and the run copies {Short(id)} to it.");
                lock (slot.Present) slot.Present.TryAdd(id, Task.CompletedTask);
            }
    }

    /// <summary>
    /// Brings <paramref name="image"/> to the primary from another engine that holds it (save/load keeps the id), so
    /// Setup never makes a second, different image under a name an engine already has; returns where it came from,
    /// or null when the primary has it already or no engine has it.
    /// </summary>
    public async Task<string?> BringToPrimaryAsync(string image, CancellationToken cancellationToken)
    {
        var primary = _slots[0];
        if (await primary.Engine.Images.TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false) is not null) return null;
        foreach (var other in _slots.Skip(1).Where(s => s.Lost is null))
        {
            if (await other.Engine.Images.TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false) is not { } id) continue;
            await using (var saved = await other.Engine.Images.SaveImageAsync(image, cancellationToken).ConfigureAwait(false))
                await primary.Engine.Images.LoadImageAsync(saved, cancellationToken).ConfigureAwait(false);
            if (await primary.Engine.Images.TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false) != id)
                throw new EnvironmentFault($"Copying {image} ({Short(id)}) from {other.Engine.Address} to {primary.Engine.Address} did not give the same image id.");
            lock (other.Present) other.Present.TryAdd(id, Task.CompletedTask);
            return other.Engine.Address;
        }
        return null;
    }

    /// <summary>
    /// Picks the engine a step will run on before it may start, so its container can be made there ahead (while its
    /// requires still build, or while it waits for a slot): one with a slot that no step waiting there will take, then
    /// one holding <paramref name="imageId"/>, then the least busy, counting the steps waiting there. Copies the image
    /// there if it is missing. Does not wait for a slot. With <paramref name="startNow"/> (a step that holds its run slot
    /// and moves because another engine has room) the engine with room for it comes first, and the reservation is claimed.
    /// </summary>
    public async Task<EngineReservation> ReserveAsync(string imageId, string imageName, CancellationToken cancellationToken, bool startNow = false)
    {
        while (true)
        {
            Slot pick;
            EngineReservation reservation;
            lock (_gate)
            {
                var live = _slots.Where(s => s.Lost is null).ToList();
                if (live.Count == 0)
                    // Each package that still wanted one says so; the cause is the first failure, which may have been another package's.
                    throw new EnvironmentFault("No Docker engine of the run is left to build on: " + string.Join("; ", _slots.Select(s => s.Lost)));
                // An engine with a slot nobody waits for first, then one that holds the image, then the least busy.
                pick = live.OrderByDescending(s => startNow && s.HasRoom)
                    .ThenByDescending(s => s.Running + s.Reserved < s.Engine.Capacity)
                    .ThenByDescending(s => s.Holds(imageId))
                    .ThenBy(s => (double)(s.Running + s.Reserved) / s.Engine.Capacity)
                    .First();
                pick.Reserved++;
                reservation = new EngineReservation(this, pick);
                if (startNow)
                {
                    reservation.Claimed = true;
                    pick.Claimed++;
                }
            }
            try
            {
                await EnsureImageAsync(pick, imageId, imageName, cancellationToken).ConfigureAwait(false);
                return reservation;
            }
            catch (EngineLost lost) when (!cancellationToken.IsCancellationRequested)
            {
                // Left out, and said by the caller, which builds the package again on the engines left.
                reservation.Dispose();
                MarkLost(lost.Address, lost.Message);
                throw;
            }
            catch
            {
                reservation.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Waits for a running slot on the reserved engine. Null when another engine has room that no claimed step will
    /// take (steps prepared there but still waiting for their run slot do not count: they cannot start yet): the caller
    /// then prepares its step again there rather than wait here, while that engine idles.
    /// </summary>
    private async Task<EngineLease?> StartAsync(EngineReservation reservation, CancellationToken cancellationToken)
    {
        var slot = reservation.Slot;
        reservation.Claim();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (slot.Lost is not null) throw new EngineLost(slot.Engine.Address, "it was left out of the run earlier (its first failure was told then)");
                if (slot.Running < slot.Engine.Capacity)
                {
                    slot.Running++;
                    Leave(reservation);
                    return new EngineLease(this, slot);
                }
                if (_slots.Any(s => s != slot && s.Lost is null && s.HasRoom))
                {
                    Leave(reservation);
                    Signal();
                    return null;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryClaimRoom(EngineReservation reservation)
    {
        lock (_gate)
        {
            var slot = reservation.Slot;
            if (reservation.Left || slot.Lost is not null) return false;
            if (reservation.Claimed) return true;
            if (!slot.HasRoom) return false;
            reservation.Claimed = true;
            slot.Claimed++;
            Signal();
            return true;
        }
    }

    /// <summary>The step will start as soon as its engine has room (it holds its run slot): others do not count that room as free.</summary>
    private void Claim(EngineReservation reservation)
    {
        lock (_gate)
        {
            if (reservation.Left || reservation.Claimed) return;
            reservation.Claimed = true;
            reservation.Slot.Claimed++;
            Signal();
        }
    }

    /// <summary>The reservation is used up (started, moved or given up); under the gate.</summary>
    private static void Leave(EngineReservation reservation)
    {
        if (reservation.Left) return;
        reservation.Left = true;
        reservation.Slot.Reserved--;
        if (reservation.Claimed) reservation.Slot.Claimed--;
    }

    private void Unreserve(EngineReservation reservation)
    {
        lock (_gate)
        {
            Leave(reservation);
            Signal();
        }
    }

    /// <summary>Leaves an engine out for the rest of the run.</summary>
    public void MarkLost(string address, string cause)
    {
        lock (_gate)
        {
            foreach (var slot in _slots.Where(s => s.Engine.Address == address && s.Lost is null)) slot.Lost = $"{address} was left out of the run when it failed earlier ({cause})";
            Signal();
        }
    }

    /// <summary><see cref="IRunner.WarmAsync"/> on every engine at once (each probe's token file has a name of its own).</summary>
    public Task WarmAsync(string folder, string image, CancellationToken cancellationToken) =>
        Task.WhenAll(Engines.Select(e => Task.Run(() => e.Runner.WarmAsync(folder, image, cancellationToken), CancellationToken.None)));

    /// <summary>Waits until every engine removed what finished steps left (lost engines are not waited for).</summary>
    public Task FlushAsync() => Task.WhenAll(Engines.Select(e => e.Runner.FlushAsync()));

    /// <summary>Removes this host's leftovers of killed runs on every engine; returns how many.</summary>
    public async Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(Engines.Select(e => e.Runner.RemoveAbandonedAsync(cancellationToken))).ConfigureAwait(false);
        return counts.Sum();
    }

    private async Task EnsureImageAsync(Slot slot, string imageId, string imageName, CancellationToken cancellationToken)
    {
        Task copy;
        lock (slot.Present)
        {
            if (!slot.Present.TryGetValue(imageId, out copy!) || copy.IsFaulted || copy.IsCanceled)
                slot.Present[imageId] = copy = CopyImageAsync(slot, imageId, imageName, cancellationToken);
        }
        await copy.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies the image from an engine that holds it (the primary first) with save/load, which keeps the id.</summary>
    private async Task CopyImageAsync(Slot target, string imageId, string imageName, CancellationToken cancellationToken)
    {
        if (await target.Engine.Images.TryGetImageIdAsync(imageId, cancellationToken).ConfigureAwait(false) == imageId) return;
        Slot? source = null;
        foreach (var s in _slots.Where(s => s != target && s.Lost is null))
            if (await s.Engine.Images.TryGetImageIdAsync(imageId, cancellationToken).ConfigureAwait(false) == imageId) { source = s; break; }
        if (source is null)
            throw new EnvironmentFault($"The image {imageName} ({Short(imageId)}) is on no engine of the run any more; run the Setup target again.");
        // Saved by name when the name still points at it, so the copy carries the tag too.
        var byName = await source.Engine.Images.TryGetImageIdAsync(imageName, cancellationToken).ConfigureAwait(false) == imageId;
        await using (var saved = await source.Engine.Images.SaveImageAsync(byName ? imageName : imageId, cancellationToken).ConfigureAwait(false))
        {
            // An engine that cannot take the image (its disk is full, its storage refuses it) can run none of the steps
            // that need it: it is left out like one that stopped answering, and they run on the others.
            try { await target.Engine.Images.LoadImageAsync(saved, cancellationToken).ConfigureAwait(false); }
            catch (EnvironmentFault fault) when (!cancellationToken.IsCancellationRequested)
            {
                throw new EngineLost(target.Engine.Address, $"it cannot take the image {imageName} ({Short(imageId)}): {fault.Message}", fault, "cannot be used");
            }
        }
        var loaded = await target.Engine.Images.TryGetImageIdAsync(imageId, cancellationToken).ConfigureAwait(false);
        if (loaded != imageId)
            throw new EnvironmentFault($"Copying {imageName} ({Short(imageId)}) from {source.Engine.Address} to {target.Engine.Address} did not give the same image id.");
    }

    private void Release(Slot slot)
    {
        lock (_gate)
        {
            slot.Running--;
            Signal();
        }
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Short(string id) => id[..Math.Min(id.Length, 19)];

    internal sealed class Slot(PoolEngine engine)
    {
        public PoolEngine Engine { get; } = engine;
        public int Running;
        /// <summary>Steps prepared there that wait for a running slot.</summary>
        public int Reserved;
        /// <summary>Of those, the ones that hold their run slot: they start the moment the engine has room.</summary>
        public int Claimed;
        /// <summary>A slot that no step able to start now will take (under the pool's gate).</summary>
        public bool HasRoom => Running + Claimed < Engine.Capacity;
        public string? Lost;
        /// <summary>Image ids present (or being copied) there; locked on itself.</summary>
        public Dictionary<string, Task> Present { get; } = new(StringComparer.Ordinal);

        public bool Holds(string imageId)
        {
            lock (Present) return Present.TryGetValue(imageId, out var t) && t.IsCompletedSuccessfully;
        }
    }

    /// <summary>One slot on one engine, held while a step runs there.</summary>
    public sealed class EngineLease : IDisposable
    {
        private readonly EnginePool _pool;
        private readonly Slot _slot;
        private int _released;

        internal EngineLease(EnginePool pool, Slot slot)
        {
            _pool = pool;
            _slot = slot;
        }

        public string Address => _slot.Engine.Address;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _pool.Release(_slot);
        }
    }

    /// <summary>
    /// An engine picked for a step that may not start yet (counted as waiting there, not as running). Start it once;
    /// disposing a reservation that was not started gives it up.
    /// </summary>
    public sealed class EngineReservation : IDisposable
    {
        private readonly EnginePool _pool;
        private int _done;

        internal EngineReservation(EnginePool pool, Slot slot)
        {
            _pool = pool;
            Slot = slot;
        }

        internal Slot Slot { get; }

        /// <summary>Under the pool's gate: counted in <see cref="Slot.Claimed"/>; used up.</summary>
        internal bool Claimed, Left;

        public IRunner Runner => Slot.Engine.Runner;

        public string Address => Slot.Engine.Address;

        /// <summary>
        /// When the engine has a slot that no step able to start now will take, claims it (as <see cref="Claim"/>) and
        /// returns true: the step will start there at once. False when it has none, or the reservation is used up.
        /// </summary>
        public bool TryClaimRoom() => _pool.TryClaimRoom(this);

        /// <summary>
        /// Says the step holds its run slot and will start as soon as the engine has room (before it gets to
        /// <see cref="StartAsync"/>, e.g. while its requires are activated), so a step waiting on another engine does not
        /// move here for room that is taken. Once; harmless after the reservation is used up.
        /// </summary>
        public void Claim() => _pool.Claim(this);

        /// <summary>
        /// Waits for a running slot there (the reservation is used up either way). Null when another engine has a free slot
        /// that nothing prepared there waits for: prepare the step again on a new reservation.
        /// Throws <see cref="EngineLost"/> when the engine was left out meanwhile.
        /// </summary>
        public async Task<EngineLease?> StartAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) throw new InvalidOperationException("A reservation starts once.");
            try { return await _pool.StartAsync(this, cancellationToken).ConfigureAwait(false); }
            catch
            {
                _pool.Unreserve(this);
                throw;
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) _pool.Unreserve(this);
        }
    }
}
