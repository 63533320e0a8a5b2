using CallStream.Rules.Engine;

namespace CallStream.Rules.Tests.Engine;

/// <summary>The group table of the window runners and of suppression: lookups, growth, expiry, removal and reuse of entries.</summary>
public class ExpiringTableTests
{
    private static readonly Func<string, Node> Create = key => new Node(key);

    [Fact]
    public void GetOrAdd_EqualKeyOfAnotherInstance_FindsTheSameEntry()
    {
        var table = new ExpiringTable<Node>();
        var first = table.GetOrAdd("agent-1", Create);
        string copy = new("agent-1".AsSpan());

        Assert.Same(first, table.GetOrAdd(copy, Create));
        Assert.True(table.TryGetValue(copy, out var found));
        Assert.Same(first, found);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void GetOrAdd_ManyKeys_GrowsAndFindsEveryKey()
    {
        var table = new ExpiringTable<Node>();
        var nodes = new Dictionary<string, Node>();
        for (int i = 0; i < 10_000; i++)
        {
            string key = "c" + i;
            nodes.Add(key, table.GetOrAdd(key, Create));
        }

        Assert.Equal(10_000, table.Count);
        Assert.True(table.Capacity >= 2 * table.Count);
        foreach (var (key, node) in nodes)
        {
            Assert.True(table.TryGetValue(key, out var found));
            Assert.Same(node, found);
            Assert.Same(node, table.GetOrAdd(key, Create));
            Assert.Equal(key, node.Key);
        }
        Assert.False(table.TryGetValue("c10000", out _));
    }

    [Fact]
    public void KeysWithEqualHashCodes_AreTwoEntries_AndRemovingOneKeepsTheOther()
    {
        var (a, b) = FindCollidingKeys();
        var table = new ExpiringTable<Node>();
        var nodeA = table.GetOrAdd(a, Create);
        var nodeB = table.GetOrAdd(b, Create);
        Assert.NotSame(nodeA, nodeB);

        nodeA.ExpiresAt = 10;
        table.Touch(nodeA);
        nodeB.ExpiresAt = 20;
        table.Touch(nodeB);
        Assert.Equal(1, table.RemoveExpired(10));

        Assert.False(table.TryGetValue(a, out _));
        Assert.True(table.TryGetValue(b, out var found));
        Assert.Same(nodeB, found);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void RemoveExpired_DropsEntriesAtOrBeforeTheFrontier_NotOthers()
    {
        var table = new ExpiringTable<Node>();
        var early = Add(table, "early", 100);
        var due = Add(table, "due", 200);
        var late = Add(table, "late", 300);

        Assert.Equal(100, table.NextExpiry);
        Assert.Equal(0, table.RemoveExpired(99));
        Assert.Equal(2, table.RemoveExpired(200));

        Assert.False(table.TryGetValue(early.Key, out _));
        Assert.False(table.TryGetValue(due.Key, out _));
        Assert.True(table.TryGetValue("late", out var found));
        Assert.Same(late, found);
        Assert.Equal(300, table.NextExpiry);
    }

    [Fact]
    public void RemoveExpired_EntryRaisedAfterQueueing_IsKeptUntilItsNewExpiry()
    {
        var table = new ExpiringTable<Node>();
        var node = Add(table, "k", 100);
        node.ExpiresAt = 500;
        table.Touch(node);

        Assert.Equal(0, table.RemoveExpired(100));
        Assert.Equal(500, table.NextExpiry);
        Assert.True(table.TryGetValue("k", out _));
        Assert.Equal(1, table.RemoveExpired(500));
        Assert.Equal(0, table.Count);
        Assert.Equal(long.MaxValue, table.NextExpiry);
    }

    [Fact]
    public void DroppedEntry_IsReusedForANewKey_Cleared()
    {
        var table = new ExpiringTable<Node>();
        var old = Add(table, "old", 100);
        old.State = 42;
        table.RemoveExpired(100);

        var reused = table.GetOrAdd("new", Create);

        Assert.Same(old, reused);
        Assert.Equal("new", reused.Key);
        Assert.Equal(long.MaxValue, reused.ExpiresAt);
        Assert.Equal(0, reused.State);
        Assert.False(table.TryGetValue("old", out _));
        Assert.True(table.TryGetValue("new", out _));
    }

    [Fact]
    public void Alarm_IsLoweredToTheExpiryOfANewQueueHead_Only()
    {
        var alarm = new ExpiryAlarm();
        var table = new ExpiringTable<Node>(alarm);
        Assert.Equal(long.MaxValue, alarm.Due);

        Add(table, "first", 300);
        Assert.Equal(300, alarm.Due);
        // Queued behind the head: the head decides when RemoveExpired can start to drop.
        Add(table, "second", 100);
        Assert.Equal(300, alarm.Due);

        Assert.Equal(2, table.RemoveExpired(300));
        alarm.Due = table.NextExpiry;
        Assert.Equal(long.MaxValue, alarm.Due);
        Add(table, "third", 400);
        Assert.Equal(400, alarm.Due);
    }

    [Fact]
    public void Alarm_LoweredByATable_LowersItsParent()
    {
        var parent = new ExpiryAlarm();
        var alarm = new ExpiryAlarm(parent);
        var table = new ExpiringTable<Node>(alarm);

        Add(table, "k", 300);
        Assert.Equal(300, alarm.Due);
        Assert.Equal(300, parent.Due);

        // The parent of several alarms is as early as the earliest of them.
        new ExpiryAlarm(parent).Lower(500);
        Assert.Equal(300, parent.Due);
        new ExpiryAlarm(parent).Lower(200);
        Assert.Equal(200, parent.Due);
        Assert.Equal(300, alarm.Due);
    }

    [Fact]
    public void DroppedEntry_FoundLast_IsNotFoundAgainForItsKey()
    {
        var table = new ExpiringTable<Node>();
        var old = Add(table, "k", 100);
        old.State = 42;
        Assert.Same(old, table.GetOrAdd("k", Create));
        table.RemoveExpired(100);

        // The same key instance again: a new (reused, cleared) entry, in the table.
        var again = table.GetOrAdd("k", Create);

        Assert.Equal(0, again.State);
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGetValue("k", out var found));
        Assert.Same(again, found);
    }

    [Fact]
    public void TablesSharingKeyHashes_FindTheirOwnEntries()
    {
        var hashes = new KeyHashes();
        var first = new ExpiringTable<Node>(hashes: hashes);
        var second = new ExpiringTable<Node>(hashes: hashes);
        var a = first.GetOrAdd("agent-1", Create);
        var b = second.GetOrAdd("agent-1", Create);
        var c = second.GetOrAdd("agent-2", Create);

        Assert.NotSame(a, b);
        Assert.True(first.TryGetValue("agent-1", out var foundA));
        Assert.Same(a, foundA);
        Assert.False(first.TryGetValue("agent-2", out _));
        Assert.Same(c, second.GetOrAdd(new string("agent-2".AsSpan()), Create));
        Assert.Equal("agent-2".GetHashCode(), hashes.Of("agent-2"));
        Assert.Equal("agent-1".GetHashCode(), hashes.Of("agent-1"));
    }

    [Fact]
    public void RandomAddsAndExpiries_AgreeWithADictionary()
    {
        // Clusters of linear probing form and break up as entries come and go: every key left must stay reachable.
        var random = new Random(12345);
        var table = new ExpiringTable<Node>();
        var model = new Dictionary<string, long>();
        for (long now = 0; now < 20_000; now++)
        {
            for (int n = random.Next(4); n > 0; n--)
            {
                string key = "k" + random.Next(3000);
                var node = table.GetOrAdd(key, Create);
                node.ExpiresAt = now + random.Next(1, 200);
                table.Touch(node);
                model[key] = node.ExpiresAt;
            }
            int removed = table.RemoveExpired(now);
            Assert.Equal(removed, model.Count - table.Count);
            foreach (var key in model.Where(p => p.Value <= now && !table.TryGetValue(p.Key, out _)).Select(p => p.Key).ToList())
                model.Remove(key);
            if (now % 1000 == 0)
            {
                Assert.Equal(model.Count, table.Count);
                foreach (var (key, expiry) in model)
                {
                    Assert.True(table.TryGetValue(key, out var node), key);
                    Assert.Equal(expiry, node.ExpiresAt);
                }
            }
        }
        // In the end everything expires and the table is empty.
        table.RemoveExpired(long.MaxValue);
        Assert.Equal(0, table.Count);
        for (int i = 0; i < 3000; i++)
            Assert.False(table.TryGetValue("k" + i, out _));
    }

    private static Node Add(ExpiringTable<Node> table, string key, long expiresAt)
    {
        var node = table.GetOrAdd(key, Create);
        node.ExpiresAt = expiresAt;
        table.Touch(node);
        return node;
    }

    /// <summary>Finds two different keys with the same hash code (randomised per process, so searched for: about 77 000 keys give even odds).</summary>
    private static (string A, string B) FindCollidingKeys()
    {
        var seen = new Dictionary<int, string>();
        for (int i = 0; ; i++)
        {
            string key = "key" + i;
            if (seen.TryGetValue(key.GetHashCode(), out string? other))
                return (other, key);
            seen.Add(key.GetHashCode(), key);
        }
    }

    private sealed class Node : ExpiringNode
    {
        public Node(string key)
            : base(key)
        {
        }

        public int State { get; set; }

        protected override void Clear() => State = 0;
    }
}
