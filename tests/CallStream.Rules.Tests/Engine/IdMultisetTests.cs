using CallStream.Rules.Engine;

namespace CallStream.Rules.Tests.Engine;

public class IdMultisetTests
{
    [Theory]
    [InlineData(1, 8, 4)]
    [InlineData(2, 64, 40)]
    [InlineData(3, 16, 1000)]
    public void RandomAddsAndRemoves_MatchACountingDictionary(int seed, int length, int idRange)
    {
        var random = new Random(seed);
        var table = new long[length];
        var reference = new Dictionary<int, int>();
        var held = new List<int>();
        for (int step = 0; step < 20_000; step++)
        {
            // Keep the table at most half full (the owner's promise): add only while a new id would still fit.
            bool add = held.Count == 0 || (random.Next(2) == 0 && reference.Count < length / 2);
            if (add)
            {
                int id = reference.Count < length / 2 ? random.Next(idRange) : held[random.Next(held.Count)];
                bool isNew = !reference.ContainsKey(id);
                Assert.Equal(isNew, IdMultiset.Add(table, id));
                reference[id] = reference.GetValueOrDefault(id) + 1;
                held.Add(id);
            }
            else
            {
                int at = random.Next(held.Count);
                int id = held[at];
                held[at] = held[^1];
                held.RemoveAt(held.Count - 1);
                bool last = reference[id] == 1;
                Assert.Equal(last, IdMultiset.Remove(table, id));
                if (last)
                    reference.Remove(id);
                else
                    reference[id]--;
            }
            if (step % 97 == 0)
                Assert.Equal(reference.OrderBy(p => p.Key), Contents(table));
        }
        Assert.Equal(reference.OrderBy(p => p.Key), Contents(table));
    }

    [Fact]
    public void CopyTo_KeepsEveryIdAndCount()
    {
        var random = new Random(9);
        var small = new long[32];
        for (int i = 0; i < 200; i++)
        {
            int id = random.Next(16);
            IdMultiset.Add(small, id);
        }
        var larger = new long[128];
        IdMultiset.CopyTo(small, larger);
        Assert.Equal(Contents(small), Contents(larger));
        foreach (var (id, count) in Contents(larger))
        {
            for (int k = 1; k < count; k++)
                Assert.False(IdMultiset.Remove(larger, id));
            Assert.True(IdMultiset.Remove(larger, id));
        }
        Assert.All(larger, slot => Assert.Equal(0, slot));
    }

    [Fact]
    public void Remove_AnIdNotInTheSet_Throws() =>
        Assert.Throws<InvalidOperationException>(() => IdMultiset.Remove(new long[8], 3));

    private static List<KeyValuePair<int, int>> Contents(long[] table) =>
        table.Where(s => s != 0).Select(s => KeyValuePair.Create(IdMultiset.IdOf(s), IdMultiset.CountOf(s))).OrderBy(p => p.Key).ToList();
}
