namespace Pkgpanda.Targets;

/// <summary>
/// The build's packages for --help and --plan. Ids need the build engine; when computing them fails the packages
/// are shown without ids (with the reason), and when even the tree cannot be loaded, without packages.
/// </summary>
internal sealed class PackageLoader(NukeBuild build, TimeSpan idTimeout)
{
    public async Task<(IReadOnlyList<PackageNode> Packages, string? Note)> LoadAsync(bool withIds, CancellationToken cancellationToken)
    {
        string? note = null;
        if (withIds)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(idTimeout);
            build.CancellationToken = timeout.Token;
            try
            {
                var nodes = await build.PackageNodesAsync(withIds: true, timeout.Token).ConfigureAwait(false);
                var missing = nodes.Where(n => n.IdError is not null).ToList();
                return (nodes, missing.Count == 0 ? null
                    : $"{missing.Count} of {nodes.Count} package ids cannot be computed (`--target Hash` says why); the first: {missing[0].Key}: {missing[0].IdError}");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                note = $"Package ids are not shown: {FirstLine(ex)}";
            }
            finally { build.CancellationToken = cancellationToken; }
        }
        try { return (await build.PackageNodesAsync(withIds: false, cancellationToken).ConfigureAwait(false), note); }
        catch (Exception ex) when (build.IsUserError(ex) || ex is TargetsException)
        {
            return ([], $"The packages could not be loaded: {ex.Message}");
        }
    }

    private static string FirstLine(Exception ex) => ex is OperationCanceledException ? "timed out" : ex.Message.Split('\n')[0].Trim();
}
