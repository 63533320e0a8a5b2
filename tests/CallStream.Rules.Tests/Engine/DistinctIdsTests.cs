using CallStream.Rules.Engine;

namespace CallStream.Rules.Tests.Engine;

public class DistinctIdsTests
{
    [Fact]
    public void RandomAcquiresAndReleases_KeepOneIdPerValueWhileReferenced()
    {
        var random = new Random(5);
        var ids = new DistinctIds();
        var references = new Dictionary<string, int>();
        var idOf = new Dictionary<string, int>();
        var held = new List<(string Value, int Id)>();
        for (int step = 0; step < 20_000; step++)
        {
            if (held.Count == 0 || random.Next(2) == 0)
            {
                string value = "v" + random.Next(50);
                int id = ids.Acquire(DistinctKey.OfText(value));
                if (idOf.TryGetValue(value, out int known))
                    Assert.Equal(known, id);
                else
                    Assert.DoesNotContain(id, idOf.Values); // a live id is never given to another value
                idOf[value] = id;
                references[value] = references.GetValueOrDefault(value) + 1;
                held.Add((value, id));
            }
            else
            {
                int at = random.Next(held.Count);
                var (value, id) = held[at];
                held[at] = held[^1];
                held.RemoveAt(held.Count - 1);
                ids.Release(id);
                if (--references[value] == 0)
                {
                    references.Remove(value);
                    idOf.Remove(value);
                }
            }
            Assert.Equal(references.Count, ids.Count);
        }
        foreach (var (value, id) in idOf)
            Assert.Equal(references[value], ids.ReferencesOf(id));
    }

    [Fact]
    public void ReleasedValue_KeepsItsIdWhileFewValuesAreUnreferenced()
    {
        var ids = new DistinctIds();
        int a = ids.Acquire(DistinctKey.OfText("a"));
        ids.Release(a);
        Assert.Equal(0, ids.Count);
        Assert.Equal(a, ids.Acquire(DistinctKey.OfText("a")));
        Assert.Equal(1, ids.Count);
    }

    [Fact]
    public void ManyReleasedValues_AreForgottenAndTheirIdsReused()
    {
        var ids = new DistinctIds();
        int kept = ids.Acquire(DistinctKey.OfText("kept"));
        int largest = 0;
        for (int i = 0; i < 10_000; i++)
        {
            int id = ids.Acquire(DistinctKey.OfText("v" + i));
            largest = Math.Max(largest, id);
            ids.Release(id);
            Assert.True(ids.Held <= DistinctIds.MinUnreferenced + 2, $"{ids.Held} values held after {i + 1} released");
        }
        Assert.True(largest <= DistinctIds.MinUnreferenced + 2, $"id {largest} given: ids are not reused");
        Assert.Equal(1, ids.Count);
        Assert.Equal(kept, ids.Acquire(DistinctKey.OfText("kept")));
    }

    [Fact]
    public void EqualValues_ShareAnId()
    {
        var ids = new DistinctIds();
        Assert.Equal(ids.Acquire(DistinctKey.OfNumber(0.0)), ids.Acquire(DistinctKey.OfNumber(-0.0)));
        Assert.Equal(ids.Acquire(DistinctKey.OfText(new string('x', 3))), ids.Acquire(DistinctKey.OfText("xxx")));
        Assert.NotEqual(ids.Acquire(DistinctKey.OfText("1")), ids.Acquire(DistinctKey.OfNumber(1)));
    }
}
