using Pkgpanda.Core.Building;

namespace Pkgpanda.Core.Tests.Building;

public class RunSlotsTests
{
    [Fact]
    public async Task A_freed_slot_goes_to_the_first_waiter_that_can_start_at_once_else_to_the_first_in_line()
    {
        var slots = new RunSlots(1);
        (await slots.WaitAsync(() => false, CancellationToken.None)).ShouldBeTrue();
        var roomHere = false;
        var first = slots.WaitAsync(() => false, CancellationToken.None);
        var second = slots.WaitAsync(() => roomHere, CancellationToken.None);
        var third = slots.WaitAsync(() => false, CancellationToken.None);
        first.IsCompleted.ShouldBeFalse();

        // The second waiter's engine has room: it starts at once, the first waits on its full engine.
        roomHere = true;
        slots.Release();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
        first.IsCompleted.ShouldBeFalse();

        // Nobody can start at once: the order in which they asked.
        slots.Release();
        (await first.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
        third.IsCompleted.ShouldBeFalse();
        slots.Release();
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_line_and_its_slot_goes_to_the_next()
    {
        var slots = new RunSlots(1);
        (await slots.WaitAsync(() => false, CancellationToken.None)).ShouldBeTrue();
        using var cancel = new CancellationTokenSource();
        var cancelled = slots.WaitAsync(() => true, cancel.Token);
        var next = slots.WaitAsync(() => false, CancellationToken.None);
        await cancel.CancelAsync();
        (await cancelled.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeFalse();
        slots.Release();
        (await next.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
        // The slot was taken once: none is left.
        slots.WaitAsync(() => true, CancellationToken.None).IsCompleted.ShouldBeFalse();
    }
}
