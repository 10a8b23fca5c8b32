using Pkgpanda.Core.Store;

namespace Pkgpanda.Core.Tests.Store;

public class FileLockTests
{
    [Fact]
    public async Task Shared_holders_coexist_and_exclude_an_exclusive_one_until_the_last_lets_go()
    {
        using var tree = new TempTree();
        var path = tree.PathOf("cache/.lock");
        var first = await FileLock.AcquireSharedAsync(path, CancellationToken.None);
        var second = await FileLock.AcquireSharedAsync(path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        FileLock.TryAcquire(path).ShouldBeNull();
        first.Dispose();
        FileLock.TryAcquire(path).ShouldBeNull();
        second.Dispose();
        using var exclusive = FileLock.TryAcquire(path);
        exclusive.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_shared_holder_waits_while_the_exclusive_one_is_held()
    {
        using var tree = new TempTree();
        var path = tree.PathOf(".lock");
        var exclusive = FileLock.TryAcquire(path)!;
        var waiting = FileLock.AcquireSharedAsync(path, CancellationToken.None);
        await Task.Delay(500);
        waiting.IsCompleted.ShouldBeFalse();
        exclusive.Dispose();
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }
}
