namespace CallStream.Abstractions.Tests;

public class AttributeMapTests
{
    private static KeyValuePair<string, string>[] Attributes(int count) =>
        [.. Enumerable.Range(0, count).Select(n => new KeyValuePair<string, string>($"name{n}", $"value{n}"))];

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Create_RepeatedName_Throws_WhateverTheCount(int count)
    {
        var items = Attributes(count);
        items[^1] = new(items[0].Key, "other");
        var ex = Assert.Throws<ArgumentException>(() => AttributeMap.Create(items));
        Assert.Contains($"Attribute '{items[0].Key}' is given twice.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_200000Attributes_KeepsThemInOrder()
    {
        // Comparing every pair of 200,000 names (the duplicate check this replaced) takes minutes; hashing takes milliseconds.
        var items = Attributes(200_000);
        var map = AttributeMap.Create(items);
        Assert.Equal(200_000, map.Count);
        Assert.Equal(items.Select(i => i.Key), map.Keys);
        Assert.Equal("value199999", map["name199999"]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5000)]
    public void Equals_SameAttributesInAnotherOrder_IsTrue_AndADifferentValueIsNot(int count)
    {
        var items = Attributes(count);
        var map = AttributeMap.Create(items);
        var reversed = AttributeMap.Create(items.Reverse());
        var changed = items.ToArray();
        changed[count - 1] = new(changed[count - 1].Key, "changed");

        Assert.Equal(map, reversed);
        Assert.Equal(map.GetHashCode(), reversed.GetHashCode());
        Assert.NotEqual(map, AttributeMap.Create(changed));
    }

    [Fact]
    public void Create_EmptyNameOrNullValue_Throws()
    {
        Assert.Throws<ArgumentException>(() => AttributeMap.Create([new("", "v")]));
        Assert.Throws<ArgumentException>(() => AttributeMap.Create([.. Attributes(20), new("x", null!)]));
    }
}
