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
    public void ReleasedIds_AreReused()
    {
        var ids = new DistinctIds();
        int a = ids.Acquire(DistinctKey.OfText("a"));
        int b = ids.Acquire(DistinctKey.OfText("b"));
        ids.Release(a);
        int c = ids.Acquire(DistinctKey.OfText("c"));
        Assert.Equal(a, c);
        Assert.NotEqual(b, c);
        Assert.Equal(2, ids.Count);
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
