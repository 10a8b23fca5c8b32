using System.Diagnostics;
using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Model;
using Pkgpanda.Core.Packaging;
using Pkgpanda.Core.Reporting;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Building;

/// <summary>
/// Builds one package: fetch its sources, activate its requires, run its script in a container, check and
/// pack the result. Each build works in its own scratch folder and publishes only by atomic renames, so a
/// build killed at any moment leaves nothing that the next run could mistake for a result.
/// </summary>
internal sealed class PackageBuilder(BuildContext context)
{
    public const string InstallRoot = "/opt/mesosphere";
    private const int LogTailLines = 30;
    private readonly ReadyFirst _readyFirst = new();
    private readonly BuiltResults _built = new();
    private readonly List<Task> _deletions = [];

    public async Task<PackageResult> BuildAsync(PackagePlan plan, IReadOnlyDictionary<PackageKey, PackagePlan> plans, PackageTurn turn, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var cache = context.Cache;
        var id = plan.Id;
        // The no-op path: a stat and a compare against the tarball's record.
        if (cache.Check(id).State == CacheState.Verified) return await UpToDateAsync(plan, PackageStatus.Cached, turn, watch).ConfigureAwait(false);
        // Not to run (a require failed, or the run stopped): it was asked only whether it is up to date.
        if (turn.RequiresBuilt is { IsCompleted: true, Result: false }) return new PackageResult(plan.Key, null, PackageStatus.NotRun, TimeSpan.Zero);

        // Another run on this machine building the same id holds its lock: say why this one waits, then wait.
        var lockPath = cache.BuildLockPath(id);
        var taken = FileLock.TryAcquire(lockPath);
        if (taken is null)
        {
            context.Events.Report(new Message(plan.Key, $"Another run is building {id}; waiting for it to finish (it holds {PackageStore.Shown(lockPath)})."));
            taken = await FileLock.AcquireAsync(lockPath, cancellationToken).ConfigureAwait(false);
        }
        using var held = taken;
        // Another process may have built it while we waited for the lock; a damaged tarball is set aside, under the lock.
        var check = cache.Check(id);
        if (check.State == CacheState.Verified) return await UpToDateAsync(plan, PackageStatus.Cached, turn, watch).ConfigureAwait(false);
        if (check.State == CacheState.Corrupt)
        {
            var aside = cache.SetAside(id);
            context.Events.Report(new Message(plan.Key,
                $"The cached {PackageStore.Shown(cache.PackagePath(id))} is damaged ({check.Problem}); it was moved to {PackageStore.Shown(aside)} and the package is made again.", Warning: true));
        }
        if (context.TryDownload is { } download && await download(id, cancellationToken).ConfigureAwait(false))
        {
            cache.Record(id);
            return await UpToDateAsync(plan, PackageStatus.Downloaded, turn, watch).ConfigureAwait(false);
        }
        // Holding the lock, any temporary tarball of this id is a leftover of a killed run.
        foreach (var stale in Directory.EnumerateFiles(cache.PackageFolder(id.Name), $".{id}.tar.xz.*.tmp"))
            File.Delete(stale);

        CheckExecutable(plan.Info);
        var scratch = Scratch.Create(cache.ScratchFolder, id.ToString());
        using var aheadCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<Prepared>? ahead = null;
        Task? unpackAhead = null;
        Prepared? prepared = null;
        // Once offered to the dependants (BuiltResults), the result folder stays until their copies are done.
        Task? withdrawn = null;
        Task Withdraw() => withdrawn ??= _built.Withdraw(id);
        try
        {
            var src = scratch.Folder("src");
            var result = scratch.Folder("result");
            var install = scratch.Folder("install");
            // The result is mounted inside the read-only install root: its mount point exists before the container
            // starts, which may be long before the requires are activated there.
            FileSystemFault.Guard(install, "prepare the build's scratch folder", () => Directory.CreateDirectory(Activation.PackageFolder(install, id)));
            var step = Step(plan, src, result, install);

            // Ahead of the requires (and of a free slot): the sources, the files the build reads, the container.
            turn.WillRun();
            var unpacked = new HashSet<PackageId>();
            var checkedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ahead = PrepareAheadAsync(plan, step, src, result, turn, checkedOut, aheadCancel.Token);
            unpackAhead = UnpackAheadAsync(plan, install, unpacked, ahead, turn.RequiresBuilt, aheadCancel.Token);
            if (!await turn.RequiresBuilt.ConfigureAwait(false))
            {
                await aheadCancel.CancelAsync().ConfigureAwait(false);
                return new PackageResult(plan.Key, null, PackageStatus.NotRun, TimeSpan.Zero);
            }
            watch.Restart();
            // Ready: containers made ahead for packages still waiting for their requires wait until this one is prepared
            // (its container made, its requires activated) ...
            using var preparing = _readyFirst.Preparing();
            if (!checkedOut.Task.IsCompleted)
            {
                Phase(plan, BuildPhase.Fetching);
                // ... but not while it checks out sources for long (a big archive extracted, a cache folder another run holds).
                await Task.WhenAny(checkedOut.Task, ahead, Task.Delay(LongCheckout, cancellationToken)).ConfigureAwait(false);
                if (!checkedOut.Task.IsCompleted && !ahead.IsCompleted)
                {
                    preparing.Pause();
                    await Task.WhenAny(checkedOut.Task, ahead).ConfigureAwait(false);
                    preparing.Resume();
                }
            }
            // In line for a slot from now (packages take slots in the order they became ready), while the sources and
            // the container are finished and the requires activated.
            using var slotWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var slotTask = turn.RunSlotAsync(slotWait.Token);
            IDisposable? slot = null;
            string engine;
            try
            {
                prepared = await ahead.ConfigureAwait(false);
                // Once it has its run slot the step only waits for room on its engine (and its activation): a step waiting
                // on a full engine must not move here for room this one will take.
                var claimed = prepared.Reservation;
                // A slot freed while this engine has room comes here first, rather than to a package prepared on a full
                // one; the room is claimed with the grant (two slots freed at once do not both go to one engine's room).
                turn.StartsNowWhen(claimed.TryClaimRoom);
                _ = slotTask.ContinueWith(t =>
                {
                    if (t.IsCompletedSuccessfully) claimed.Claim();
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

                Phase(plan, BuildPhase.Activating);
                await unpackAhead.ConfigureAwait(false);
                // The requires unpacked ahead (built before this one was ready) are not unpacked again; one just built
                // comes from its result folder while its tarball is packed, the others from the cache.
                var left = plan.RequireIds.Where(r => !unpacked.Contains(r)).ToList();
                foreach (var missing in left.Where(r => !_built.Offers(r) && !File.Exists(cache.PackagePath(r))))
                    throw new BuildError($"Cannot build {id}: the required package {cache.PackagePath(missing)} is not in the cache; build it first.");
                await FileSystemFault.GuardAsync(scratch.Root, "prepare the build's scratch folder", async () =>
                {
                    foreach (var require in left)
                        if (!await _built.TryUnpackAsync(install, require, cancellationToken).ConfigureAwait(false))
                            await UnpackRequireAsync(plan, install, cache.PackagePath(require), cancellationToken).ConfigureAwait(false);
                    await Activation.ActivateAsync(install, plan.RequireIds, new ActivationOptions { LinkRoot = InstallRoot, SystemdUnits = true }, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);

                // Where the engine does not share our files, the activated requires travel now, while the slot is awaited.
                if (!slotTask.IsCompleted) await prepared.Step.CompleteInputsAsync(cancellationToken).ConfigureAwait(false);
                preparing.Dispose();
                slot = await slotTask.ConfigureAwait(false);
                (engine, prepared) = await RunScriptAsync(plan, step, prepared, scratch.Root, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A slot granted meanwhile is not left taken.
                if (slot is null)
                {
                    await slotWait.CancelAsync().ConfigureAwait(false);
                    try { slot = await slotTask.ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                }
                // A failure stops new work before its slot frees (a lost engine's package is built again, in a slot of its own).
                if (slot is not null && ex is not EngineLost && !cancellationToken.IsCancellationRequested)
                {
                    turn.ReleaseWhenReported(slot);
                    slot = null;
                }
                throw;
            }
            finally
            {
                slot?.Dispose();
            }

            // The slot is free again: packing overlaps the next package's start.
            Phase(plan, BuildPhase.Packing);
            ReservedUnits.Check(result, $"{id} (its build script is {PackageStore.Shown(plan.Info.BuildScriptPath)})");
            try { Activation.CheckActivatable(id, result); }
            catch (BuildError error)
            {
                throw new BuildError($"{id} cannot be activated by the packages that require it, so it is not cached (its build script is " +
                                     $"{PackageStore.Shown(plan.Info.BuildScriptPath)}; $PKG_PATH is its result): {error.Message.Replace(result, "$PKG_PATH", StringComparison.Ordinal)}", error);
            }
            InputsUnchanged(plan);
            var entries = Packer.Entries(result, cancellationToken);
            // Checked and listed: the packages that require this one start from its result folder while it is packed
            // (and while its own requires still are: a chain of big packages packs side by side).
            _built.Offer(id, entries);
            turn.ResultReady();
            // Packed in the scratch folder (the same disk as the cache), beside the packing of its requires ...
            var packed = Path.Combine(scratch.Root, Path.GetFileName(cache.PackagePath(id)));
            await Packer.PackAsync(entries, packed, cancellationToken: cancellationToken).ConfigureAwait(false);
            // ... and kept only once they made it into the cache themselves; else the scheduler reports it skipped,
            // and so its dependants.
            if (!await turn.RequiresPacked.WaitAsync(cancellationToken).ConfigureAwait(false))
                return new PackageResult(plan.Key, null, PackageStatus.NotRun, TimeSpan.Zero);
            FileSystemFault.Guard(cache.PackagePath(id), "put the package tarball into the cache", () => File.Move(packed, cache.PackagePath(id), overwrite: true));
            // A run killed between the two renames leaves a tarball without a record: the next check reads it through.
            cache.Record(id);
            // From now on they unpack the tarball.
            _ = Withdraw();
            cache.WriteLatest(plan.Key, id);
            new BuildTimes(cache).Write(plan.Key, watch.Elapsed);
            if (context.KeepAll)
            {
                await Withdraw().ConfigureAwait(false);
                context.Events.Report(new Message(plan.Key, $"The build folder (src/, result/, install/) is kept at {PackageStore.Shown(Keep(scratch, cache.KeptFolder, id))}."));
            }
            return Finish(plan, PackageStatus.Built, watch) with { Engine = engine };
        }
        catch (EnvironmentFault fault) when (FileSystemFault.IsNoSpace(fault))
        {
            // The file named is the one that could not be written (often the build's log), not what filled the disk:
            // a build's result lands on this machine's disk as the script writes it (bind mounts), so say how big it got.
            throw new EnvironmentFault($"{fault.Message} While {id} was being built: its build folder {PackageStore.Shown(scratch.Root)} holds " +
                                       $"{Size(Path.Combine(scratch.Root, "result"))} in result/ (what its script wrote), {Size(Path.Combine(scratch.Root, "src"))} in src/ and " +
                                       $"{Size(Path.Combine(scratch.Root, "install"))} in install/ (the activated requires).", fault);
        }
        catch (BuildError error) when (context.KeepFailed || context.KeepAll)
        {
            // Keep src/, result/ and install/ for a look at what went wrong (once no dependant copies from result/).
            await Withdraw().ConfigureAwait(false);
            var kept = Keep(scratch, cache.FailedFolder, id);
            throw new BuildError($"{error.Message}\nThe build folder (src/, result/, install/) is kept at {PackageStore.Shown(kept)}.", error);
        }
        finally
        {
            // A container made ahead and never run goes (its removal does not hold this package up).
            if (prepared is null && ahead is not null)
                try { prepared = await ahead.ConfigureAwait(false); }
                catch (Exception) { /* told by the await above, or not news: the package does not run */ }
            if (prepared is not null) await prepared.DisposeAsync().ConfigureAwait(false);
            // Nothing unpacks into the scratch folder once it goes.
            if (unpackAhead is not null)
            {
                await aheadCancel.CancelAsync().ConfigureAwait(false);
                try { await unpackAhead.ConfigureAwait(false); }
                catch (Exception) { /* cancelled, or told by the activation */ }
            }
            // In the background: the packages waiting for this one need nothing from it (its install/ holds every
            // require unpacked, which took up to 70 ms per layer to delete on the path of a 5x6 tree). The run waits
            // for these deletions before it ends (DrainAsync).
            var copies = Withdraw();
            lock (_deletions) _deletions.Add(Task.Run(async () =>
            {
                await copies.ConfigureAwait(false);
                scratch.Delete();
            }, CancellationToken.None));
        }
    }

    /// <summary>How much file data a folder holds, for a message ("12.3 MiB").</summary>
    private static string Size(string folder) => Bytes(FileTree.DataBytes([folder]));

    private static string Bytes(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";

    /// <summary>Waits for the scratch folders of finished builds to be deleted; a run ends with it.</summary>
    public Task DrainAsync()
    {
        lock (_deletions) return Task.WhenAll([.. _deletions]);
    }

    /// <summary>A step prepared on an engine the pool picked, and that pick (it becomes a slot when the step starts).</summary>
    private sealed class Prepared(IPreparedStep step, EnginePool.EngineReservation reservation) : IAsyncDisposable
    {
        public IPreparedStep Step { get; } = step;
        public EnginePool.EngineReservation Reservation { get; } = reservation;

        public async ValueTask DisposeAsync()
        {
            Reservation.Dispose();
            await Step.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Fetches the sources, writes what the build reads about itself and prepares the step on an engine.</summary>
    /// <param name="checkedOut">Set once the sources and those files are in place, before the engine is asked for anything.</param>
    private async Task<Prepared> PrepareAheadAsync(PackagePlan plan, BuildStep step, string src, string result, PackageTurn turn,
        TaskCompletionSource checkedOut, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await context.Sources.CheckoutAsync(plan.Info, src, new SyncProgress<Sources.FetchEvent>(e =>
        {
            if (e is Sources.FetchWarning w) context.Events.Report(new Message(plan.Key, w.Message, Warning: true));
        }), cancellationToken).ConfigureAwait(false);
        await FileSystemFault.GuardAsync(Path.GetDirectoryName(src)!, "prepare the build's scratch folder", async () =>
        {
            var fullBuildInfo = PlainJson.Pretty(plan.FullBuildInfo());
            await File.WriteAllTextAsync(Path.Combine(src, "buildinfo.full.json"), fullBuildInfo, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(result, "buildinfo.full.json"), fullBuildInfo, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(result, "pkginfo.json"), PlainJson.Pretty(plan.PkgInfo()), cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        checkedOut.TrySetResult();
        return await PrepareOnEngineAsync(plan, step, turn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How long a ready package's checkout may hold back the containers made ahead (<see cref="ReadyFirst"/>).</summary>
    private static readonly TimeSpan LongCheckout = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a package waiting for its requires looks for those built meanwhile.</summary>
    private static readonly TimeSpan UnpackPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The requires are unpacked as they are built (the ones in the cache once the container is made, then each one
    /// found built meanwhile), until they all are: activation then unpacks only what is left (a package with many
    /// requires waited for all of them to unpack after the last one was built). A tarball that does not unpack here is
    /// left for the activation, which tells why.
    /// </summary>
    private async Task UnpackAheadAsync(PackagePlan plan, string install, HashSet<PackageId> unpacked, Task ahead, Task<bool> requiresBuilt, CancellationToken cancellationToken)
    {
        // After the container is made: the engine's work goes first.
        try { await ahead.ConfigureAwait(false); }
        catch (Exception) { return; } // told where the package awaits it
        while (true)
        {
            foreach (var require in plan.RequireIds)
            {
                if (unpacked.Contains(require) || context.Cache.Check(require).State != CacheState.Verified) continue;
                try { unpacked.Add(await Activation.UnpackAsync(install, context.Cache.PackagePath(require), cancellationToken).ConfigureAwait(false)); }
                catch (Exception ex) when (ex is BuildError or EnvironmentFault or IOException && !cancellationToken.IsCancellationRequested) { return; }
            }
            if (requiresBuilt.IsCompleted || plan.RequireIds.All(unpacked.Contains)) return;
            await Task.WhenAny(requiresBuilt, Task.Delay(UnpackPoll, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Unpacks a require for activation. A cached tarball whose bytes were damaged after it was recorded (its size and
    /// time unchanged, so the record's quick check passed) is moved aside, so the next run makes it again instead of
    /// failing the same way for ever.
    /// </summary>
    private async Task UnpackRequireAsync(PackagePlan plan, string install, string tarball, CancellationToken cancellationToken)
    {
        try { await Activation.UnpackAsync(install, tarball, cancellationToken).ConfigureAwait(false); }
        catch (BuildError error) when (error.InnerException is InvalidDataException && plan.RequireIds.FirstOrDefault(r => context.Cache.PackagePath(r) == tarball) is { } require)
        {
            var aside = context.Cache.SetAside(require);
            throw new BuildError($"Cannot build {plan.Id}: the cached {PackageStore.Shown(tarball)} of its require {require} is damaged ({error.InnerException.Message}); " +
                                 $"it was moved to {PackageStore.Shown(aside)}. Run the build again: {require.Name} is made anew.", error);
        }
    }

    /// <summary>Picks the engine and makes the container there; one made ahead of its requires waits its turn (<see cref="ReadyFirst"/>).</summary>
    /// <param name="turn">Null for a package that holds its run slot (one prepared again on another engine).</param>
    private async Task<Prepared> PrepareOnEngineAsync(PackagePlan plan, BuildStep step, PackageTurn? turn, CancellationToken cancellationToken)
    {
        // Waited for before the engine is picked, so the pick is made when the container is.
        if (turn is not null) await _readyFirst.WaitTurnAsync(turn.RequiresBuilt, cancellationToken).ConfigureAwait(false);
        // A package given its run slot before it is prepared (one ready at the start) goes where it can start at once.
        var reservation = await context.Engines.ReserveAsync(plan.ImageId, plan.ImageName, cancellationToken, startNow: turn is null || turn.SlotGranted).ConfigureAwait(false);
        try
        {
            return new Prepared(await reservation.Runner.PrepareAsync(step, cancellationToken).ConfigureAwait(false), reservation);
        }
        catch
        {
            reservation.Dispose();
            throw;
        }
    }

    /// <summary>Moves the scratch folder to <c>&lt;folder&gt;/&lt;id&gt;</c> (replacing an older one), under the id's build lock.</summary>
    private static string Keep(Scratch scratch, string folder, PackageId id)
    {
        var kept = Path.Combine(folder, id.ToString());
        FileTree.Delete(kept);
        Directory.CreateDirectory(folder);
        Directory.Move(scratch.Root, kept);
        return kept;
    }

    /// <summary>
    /// Up to date (cached or downloaded): it counts once its requires are done, as a build would, and also when one of
    /// them failed (its own tarball does not depend on theirs).
    /// </summary>
    private async Task<PackageResult> UpToDateAsync(PackagePlan plan, PackageStatus status, PackageTurn turn, Stopwatch watch)
    {
        await turn.RequiresBuilt.ConfigureAwait(false);
        context.Cache.WriteLatest(plan.Key, plan.Id);
        return Finish(plan, status, watch);
    }

    private PackageResult Finish(PackagePlan plan, PackageStatus status, Stopwatch watch)
    {
        Phase(plan, BuildPhase.Done);
        return new PackageResult(plan.Key, plan.Id, status, watch.Elapsed, LogPath: status == PackageStatus.Built ? context.Cache.LogPath(plan.Id) : null);
    }

    private void Phase(PackagePlan plan, BuildPhase phase) => context.Events.Report(new PhaseChanged(plan.Key, phase));

    /// <summary>
    /// The build script and extra/ are read by the container from the package folder itself, while the id was computed
    /// from them when the run started: one edited meanwhile would be cached under the old id, and served as it for ever.
    /// </summary>
    private void InputsUnchanged(PackagePlan plan)
    {
        var info = plan.Info;
        if (File.Exists(info.BuildScriptPath) && FolderHash.FileSha1(info.BuildScriptPath) is var sha1 && plan.BuildIds.TryGetValue("build", out var was) && sha1 != was as string)
            throw WrongHashCache(info.BuildScriptPath, plan) ?? new BuildError(info.File, "\"build_script\"", $"\"{info.BuildScript}\"",
                $"the build script {PackageStore.Shown(info.BuildScriptPath)} changed while {plan.Id} was being built (its id holds the sha1 of the script as it was when the run started), so nothing was cached. Run the build again: it builds the script as it is now, under its own id.");
        var extra = Directory.Exists(info.ExtraDir) ? FolderHash.Of(info.ExtraDir) : null;
        if (extra != plan.ExtraSource)
            throw WrongHashCache(info.ExtraDir, plan) ?? new BuildError($"{PackageStore.Shown(info.ExtraDir)} changed while {plan.Id} was being built (its id holds that folder's hash as it was when the run started), so nothing was cached. Run the build again: it builds the folder as it is now, under its own id.");
    }

    /// <summary>
    /// The sum the id was computed with differs from the file's, and the file did not change: the file-hash cache's
    /// entry was wrong (the cache file damaged or edited). It is dropped now, so the next run hashes the file again
    /// and computes the right id; null when the file did change (or no cache vouched for it).
    /// </summary>
    private BuildError? WrongHashCache(string path, PackagePlan plan)
    {
        if (context.Hashes is not { } hashes || !hashes.Forget(path)) return null;
        hashes.Save();
        return new BuildError($"{PackageStore.Shown(hashes.Path)} held a wrong sha1 for {PackageStore.Shown(path)}, which did not change: the id {plan.Id} was computed " +
                              "with it, so nothing was cached. The entry is dropped: run the build again, and the file is hashed anew, under its right id.");
    }

    /// <summary>The script's existence was checked when its sha1 went into the id; running it also needs the x bit.</summary>
    private static void CheckExecutable(BuildInfo info)
    {
        var script = info.BuildScriptPath;
        // The step sees the package folder alone (at /pkg/build): a link must stay inside it, relative to it.
        var file = new FileInfo(script);
        if (file.LinkTarget is { } link)
        {
            var target = file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link;
            var folder = Path.GetFullPath(info.PackageDir).TrimEnd('/') + "/";
            if (Path.IsPathRooted(link) || !target.StartsWith(folder, StringComparison.Ordinal))
                throw new BuildError(info.File, "\"build_script\"", $"\"{info.BuildScript}\"",
                    $"the build script {PackageStore.Shown(script)} is a symbolic link to {link}, which the build cannot see: its container sees only the package folder (at /pkg/build). Copy the script into the package folder, or link to a file inside it by a relative path.");
        }
        if ((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) == 0)
            throw new BuildError(info.File, "\"build_script\"", $"\"{info.BuildScript}\"",
                $"the build script {PackageStore.Shown(script)} is not executable; run `chmod +x {PackageStore.Shown(script)}` (and commit the mode).");
    }

    /// <summary>pkgpanda's layout, described as inputs and an output: the runner decides how they travel (binds or tar streams).</summary>
    private BuildStep Step(PackagePlan plan, string src, string result, string install)
    {
        var info = plan.Info;
        var id = plan.Id;
        var pkgPath = $"{InstallRoot}/packages/{id}";
        var inputs = new List<StepInput>
        {
            new(src, "/pkg/src", Writable: true),
            new(info.PackageDir, "/pkg/build"),
            // Filled with the activated requires once they are built, after the step was prepared.
            new(install, InstallRoot, Deferred: true),
        };
        if (Directory.Exists(info.ExtraDir)) inputs.Add(new(info.ExtraDir, "/pkg/extra"));
        return new BuildStep
        {
            // The image id, not its name: the build runs in exactly the image the package id was computed with.
            Image = plan.ImageId,
            Command = [$"/pkg/build/{info.BuildScript}"],
            Inputs = inputs,
            Output = new StepOutput(result, pkgPath),
            Environment = new Dictionary<string, string>
            {
                ["PKG_VERSION"] = id.Version,
                ["PKG_NAME"] = id.Name,
                ["PKG_ID"] = id.ToString(),
                ["PKG_PATH"] = pkgPath,
                ["PKG_VARIANT"] = Variant.Display(info.Variant),
                ["NUM_CORES"] = context.Cores.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            Network = context.Network,
            Name = id.ToString(),
            // A package's container starts while it waits for its requires; its script runs once they are in place.
            StartEarly = true,
        };
    }

    /// <summary>
    /// Starts the prepared step once its engine has a free slot (or prepares it again on another engine that has one
    /// sooner) and runs the build script; returns the engine's address and the step that ran.
    /// </summary>
    private async Task<(string Engine, Prepared Ran)> RunScriptAsync(PackagePlan plan, BuildStep step, Prepared prepared, string scratch, CancellationToken cancellationToken)
    {
        var info = plan.Info;
        var id = plan.Id;
        var given = prepared;
        EnginePool.EngineLease? lease;
        try
        {
            while ((lease = await prepared.Reservation.StartAsync(cancellationToken).ConfigureAwait(false)) is null)
            {
                // Another engine has a slot nobody waits for: the container made here goes, a new one is made there.
                await prepared.DisposeAsync().ConfigureAwait(false);
                prepared = await PrepareOnEngineAsync(plan, step, turn: null, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (!ReferenceEquals(prepared, given)) await prepared.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        using var engine = lease;
        context.Events.Report(new PhaseChanged(plan.Key, BuildPhase.Building, engine.Address));
        var logPath = context.Cache.LogPath(id);
        var log = new BuildLog(logPath, LogTailLines);
        long exitCode;
        try
        {
            exitCode = await prepared.Step.RunAsync(new SyncProgress<string>(line =>
            {
                log.Write(line);
                context.Events.Report(new OutputLine(plan.Key, line));
            }), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            log.Complete();
        }
        if (exitCode != 0)
            throw new BuildError($"Building {id} failed on {engine.Address}: {info.BuildScript} exited with code {exitCode}. Last lines of the log ({PackageStore.Shown(logPath)}):\n" +
                                 string.Join("\n", log.Tail.Select(l => "  | " + l)) + InterpreterHint(info, plan, log.Tail) + NoSpaceHint(log.Tail, engine.Address, scratch));
        return (engine.Address, prepared);
    }

    /// <summary>
    /// A script that failed because a disk filled up gets no word of it from its exit code, and not always from its
    /// log (busybox says "I/O error"): a failed script's build folder is looked at before it goes, and when its disk
    /// is full (under 1 MiB or 0.5% free) the failure says so, with what the folder holds; when only the log says
    /// "No space left on device" and this disk has room, what filled up is the engine's storage, and it is named.
    /// </summary>
    private static string NoSpaceHint(IReadOnlyList<string> tail, string engine, string scratch)
    {
        long free, total;
        try
        {
            var drive = new DriveInfo(scratch);
            (free, total) = (drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException) { return ""; }
        if (free < 1L << 20 || free < total / 200)
            return $"\nThe disk of its build folder {PackageStore.Shown(scratch)} is full ({Bytes(free)} free of {Bytes(total)}; result/ holds " +
                   $"{Size(Path.Combine(scratch, "result"))}, src/ {Size(Path.Combine(scratch, "src"))}): the script writes $PKG_PATH and /pkg/src there. " +
                   "Free some space on it, then build again.";
        var told = tail.Any(l => l.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) ||
                                 l.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase));
        return told
            ? $"\nThe script ran out of disk space, but its build folder {PackageStore.Shown(scratch)} has {Bytes(free)} free: what filled up is where else " +
              $"it wrote, the storage of the engine {engine} (its data root: `docker info --format '{{{{.DockerRootDir}}}}'`). Free some space there, then build again."
            : "";
    }

    /// <summary>
    /// "exec ... no such file or directory" for a script that exists means its #! interpreter is missing from the
    /// image (e.g. #!/bin/bash in a busybox image): say so, since the engine's words point at the script. The words
    /// are the engine's when it started the script itself, the shell's when the script was held back by the
    /// runner's gate (which names itself, so a script's own "not found" is never taken for it).
    /// </summary>
    private static string InterpreterHint(BuildInfo info, PackagePlan plan, IReadOnlyList<string> tail)
    {
        var script = $"/pkg/build/{info.BuildScript}";
        bool Engine(string l) => l.Contains($"exec {script}", StringComparison.Ordinal) && l.Contains("no such file", StringComparison.OrdinalIgnoreCase);
        bool Gate(string l) => l.StartsWith(DockerRunner.GateName + ":", StringComparison.Ordinal) && l.Contains(script, StringComparison.Ordinal) &&
                               (l.Contains("not found", StringComparison.OrdinalIgnoreCase) || l.Contains("no such file", StringComparison.OrdinalIgnoreCase) ||
                                l.Contains("bad interpreter", StringComparison.OrdinalIgnoreCase));
        if (!tail.Any(l => Engine(l) || Gate(l)))
            return "";
        // Read as bytes up to the first \n: a line reader would hide the \r of Windows line endings.
        var head = File.ReadAllBytes(info.BuildScriptPath);
        var end = Array.IndexOf(head, (byte)'\n');
        var first = System.Text.Encoding.UTF8.GetString(head, 0, end < 0 ? head.Length : end);
        if (first.StartsWith("#!", StringComparison.Ordinal) && first.EndsWith('\r'))
            return $"\nThe script has Windows line endings (\\r\\n): its first line asks for the interpreter \"{first[2..^1].Trim()}\\r\", which no image has. " +
                   $"Convert it to Unix line endings (e.g. `sed -i 's/\\r$//' {PackageStore.Shown(info.BuildScriptPath)}`, or `git config core.autocrlf input` and check it out again).";
        return first.StartsWith("#!", StringComparison.Ordinal)
            ? $"\nThe script starts with \"{first}\", and that interpreter is not in the image {plan.ImageName}; use one the image has (e.g. #!/bin/sh) or another \"docker\" image."
            : $"\nThe script has no #! line; start it with one the image {plan.ImageName} has (e.g. #!/bin/sh).";
    }
}
