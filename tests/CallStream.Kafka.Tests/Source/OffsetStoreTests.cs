namespace CallStream.Kafka.Tests.Source;

/// <summary>How requested offsets become stores: forward only, owned partitions only, never past a pending dead letter.</summary>
public sealed class OffsetStoreTests
{
    private static readonly Func<int, long?> NoDeadLetters = _ => null;

    [Fact]
    public void TakeStores_HighestRequestPerPartition_OnlyForward()
    {
        var store = new OffsetStore();
        store.Assigned(0, committedOffset: 5);
        store.Assigned(1, committedOffset: -1);
        store.Request(0, 4);
        store.Request(0, 9);
        store.Request(0, 7);
        store.Request(1, 3);
        Assert.True(store.Dirty);

        var skipped = new List<(int, long)>();
        var stores = store.TakeStores(_ => true, NoDeadLetters, skipped);
        Assert.Equal([(0, 9L), (1, 3L)], stores.Order());
        Assert.False(store.Dirty);
        foreach (var (p, o) in stores)
            store.Stored(p, o);

        store.Request(0, 8); // below what is stored: ignored
        store.Request(0, 5); // at the committed floor: ignored
        Assert.Empty(store.TakeStores(_ => true, NoDeadLetters, skipped));
        Assert.Empty(skipped);
        Assert.True(store.TryGetStored(0, out long stored));
        Assert.Equal(9, stored);
    }

    [Fact]
    public void TakeStores_NotOwned_AreSkippedAndForgotten()
    {
        var store = new OffsetStore();
        store.Request(3, 10);
        var skipped = new List<(int, long)>();
        Assert.Empty(store.TakeStores(p => p != 3, NoDeadLetters, skipped));
        Assert.Equal([(3, 10L)], skipped);
        skipped.Clear();
        Assert.Empty(store.TakeStores(_ => true, NoDeadLetters, skipped));
        Assert.Empty(skipped);
    }

    [Fact]
    public void TakeStores_PendingDeadLetter_HoldsTheOffsetBack_UntilItIsAcknowledged()
    {
        var store = new OffsetStore();
        long? pending = 6;
        store.Request(0, 10);
        var skipped = new List<(int, long)>();

        var first = store.TakeStores(_ => true, _ => pending, skipped);
        Assert.Equal([(0, 6L)], first);
        store.Stored(0, 6);

        pending = null; // acknowledged
        var second = store.TakeStores(_ => true, _ => pending, skipped);
        Assert.Equal([(0, 10L)], second);
    }

    [Fact]
    public void Forget_DropsWantedAndStored()
    {
        var store = new OffsetStore();
        store.Request(0, 10);
        _ = store.TakeStores(_ => true, _ => 2, []);
        store.Stored(0, 2);
        store.Forget([0]);
        Assert.False(store.TryGetStored(0, out _));
        Assert.Empty(store.TakeStores(_ => true, NoDeadLetters, []));
    }
}
