using CallStream.Csv;

namespace CallStream.Tests.Csv;

public class CsvStringPoolTests
{
    [Fact]
    public void Get_SameText_GivesTheSameInstanceAndId_InTheOrderFirstSeen()
    {
        var pool = new CsvStringPool(100);

        string a = pool.Get("A0042".AsSpan(), out int idA);
        string b = pool.Get("north".AsSpan(), out int idB);
        string again = pool.Get("xA0042".AsSpan(1), out int idAgain);

        Assert.Equal(("A0042", "north"), (a, b));
        Assert.Same(a, again);
        Assert.Equal((0, 1, 0), (idA, idB, idAgain));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Get_ManyValues_KeepsEveryOneFindableAsTheTableGrows()
    {
        var pool = new CsvStringPool(5000);
        var first = Enumerable.Range(0, 3000).Select(n => pool.Get($"agent-{n}".AsSpan())).ToList();

        for (int n = 0; n < 3000; n++)
        {
            Assert.Same(first[n], pool.Get($"agent-{n}".AsSpan(), out int id));
            Assert.Equal(n, id);
        }
        Assert.Equal(3000, pool.Count);
    }

    [Fact]
    public void Get_WhenFull_GivesNewStringsThatAreNotPooled()
    {
        var pool = new CsvStringPool(2);
        pool.Get("a".AsSpan());
        string b = pool.Get("b".AsSpan());

        string c1 = pool.Get("c".AsSpan(), out int id1);
        string c2 = pool.Get("c".AsSpan(), out int id2);

        Assert.Equal("c", c1);
        Assert.NotSame(c1, c2);
        Assert.Equal((CsvStringPool.NotPooled, CsvStringPool.NotPooled), (id1, id2));
        Assert.Same(b, pool.Get("b".AsSpan()));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Get_LongText_IsNotPooled()
    {
        var pool = new CsvStringPool(10);
        string text = new('n', 65);
        string first = pool.Get(text.AsSpan(), out int id);
        Assert.Equal(text, first);
        Assert.Equal(CsvStringPool.NotPooled, id);
        Assert.NotSame(first, pool.Get(text.AsSpan()));
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Constructor_CapacityOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvStringPool(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvStringPool((1 << 24) + 1));
    }
}
