using System.Text;
using CallStream.Text;

namespace CallStream.Abstractions.Tests.Text;

public class StringPoolTests
{
    [Fact]
    public void Get_SameText_GivesTheSameInstanceAndId_InTheOrderFirstSeen()
    {
        var pool = new StringPool(100);

        string a = pool.Get("A0042".AsSpan(), out int idA);
        string b = pool.Get("north".AsSpan(), out int idB);
        string again = pool.Get("xA0042".AsSpan(1), out int idAgain);

        Assert.Equal(("A0042", "north"), (a, b));
        Assert.Same(a, again);
        Assert.Equal((0, 1, 0), (idA, idB, idAgain));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void GetAscii_SharesTheInstanceOfTheSameCharacters()
    {
        var pool = new StringPool(100);

        string fromChars = pool.Get("C-17".AsSpan(), out int id);
        string fromBytes = pool.GetAscii("C-17"u8);

        Assert.Same(fromChars, fromBytes);
        Assert.Equal(0, id);
        Assert.Equal("agent 9", pool.GetAscii(Encoding.ASCII.GetBytes("agent 9")));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Get_ManyValues_KeepsEveryOneFindableAsTheTableGrows()
    {
        var pool = new StringPool(5000);
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
        var pool = new StringPool(2);
        pool.Get("a".AsSpan());
        string b = pool.Get("b".AsSpan());

        string c1 = pool.Get("c".AsSpan(), out int id1);
        string c2 = pool.Get("c".AsSpan(), out int id2);

        Assert.Equal("c", c1);
        Assert.NotSame(c1, c2);
        Assert.Equal((StringPool.NotPooled, StringPool.NotPooled), (id1, id2));
        Assert.NotSame(pool.GetAscii("c"u8), pool.GetAscii("c"u8));
        Assert.Same(b, pool.Get("b".AsSpan()));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Get_LongText_IsNotPooled()
    {
        var pool = new StringPool(10);
        string text = new('n', StringPool.MaxPooledLength + 1);

        string first = pool.Get(text.AsSpan(), out int id);

        Assert.Equal(text, first);
        Assert.Equal(StringPool.NotPooled, id);
        Assert.NotSame(first, pool.Get(text.AsSpan()));
        Assert.Equal(text, pool.GetAscii(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Get_ManyValuesWithTheSameOrdinalHashOfACollidingScheme_StayFindable()
    {
        // Values a hostile producer might send to collide in a naive hash: all found again, all pooled once.
        var pool = new StringPool(1 << 16);
        var values = Enumerable.Range(0, 20_000).Select(n => new string('a', 8) + n.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var pooled = values.Select(v => pool.Get(v.AsSpan())).ToList();

        Assert.All(values.Select((v, n) => (v, n)), p => Assert.Same(pooled[p.n], pool.Get(p.v.AsSpan())));
        Assert.Equal(values.Count, pool.Count);
    }

    [Fact]
    public void Constructor_CapacityOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StringPool(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StringPool((1 << 24) + 1));
    }
}
