using System.Collections;
using CallStream.Insights;

namespace CallStream.Insights.Tests;

public class OrdinalQueryTests
{
    [Fact]
    public void JoinOnAUniqueKey_UsesOneIndex_AndGivesWhatLinqToObjectsGives()
    {
        var inner = new CountingRows<Row>([new("a", "x"), new("b", "y"), new("c", "z")]);
        var root = new OrdinalQuery<Row>(inner, nameof(Row.Id), r => r.Id);
        var outer = new OrdinalQuery<Row>([new("1", "b"), new("2", "missing"), new("3", "a"), new("4", "b")]);

        for (int run = 0; run < 3; run++)
        {
            var joined = outer.Join(root, o => o.Value, i => i.Id, (o, i) => o.Id + "->" + i.Value).ToList();
            var expected = outer.AsEnumerable().Join(inner.Items, o => o.Value, i => i.Id, (o, i) => o.Id + "->" + i.Value).ToList();
            Assert.Equal(["1->y", "3->x", "4->y"], joined);
            Assert.Equal(expected, joined);
        }
        // The index was built once; LINQ to Objects' join would have read the inner rows for every query.
        Assert.Equal(1, inner.Enumerations);
    }

    [Fact]
    public void JoinOnAnotherKey_IsAnOrdinaryJoin()
    {
        var inner = new CountingRows<Row>([new("a", "x"), new("b", "x")]);
        var root = new OrdinalQuery<Row>(inner, nameof(Row.Id), r => r.Id);
        var outer = new OrdinalQuery<Row>([new("1", "x")]);

        var joined = outer.Join(root, o => o.Value, i => i.Value, (o, i) => i.Id).ToList();

        Assert.Equal(["a", "b"], joined); // Value is not unique: both rows match
    }

    private sealed record Row(string Id, string Value);

    private sealed class CountingRows<T>(T[] items) : IReadOnlyCollection<T>
    {
        public T[] Items => items;

        public int Enumerations { get; private set; }

        public int Count => items.Length;

        public IEnumerator<T> GetEnumerator()
        {
            Enumerations++;
            return ((IEnumerable<T>)items).GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
