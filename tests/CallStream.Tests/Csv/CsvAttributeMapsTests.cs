using CallStream.Csv;

namespace CallStream.Tests.Csv;

public class CsvAttributeMapsTests
{
    [Fact]
    public void Get_OneColumn_SharesTheMapOfEachValue()
    {
        var maps = new CsvAttributeMaps(["region"], 10);

        var north = maps.Get([1], ["north"]);
        var south = maps.Get([2], ["south"]);

        Assert.Same(north, maps.Get([1], ["north"]));
        Assert.Equal("north", north["region"]);
        Assert.Equal("south", south["region"]);
        Assert.NotSame(north, south);
    }

    [Fact]
    public void Get_SeveralColumns_SharesByTheWholeCombination_WithAbsentCellsLeftOut()
    {
        var maps = new CsvAttributeMaps(["region", "queue", "language"], 100);

        var a = maps.Get([1, 0, 3], ["north", null, "en"]);
        var b = maps.Get([1, 2, 3], ["north", "vip", "en"]);

        Assert.Same(a, maps.Get([1, 0, 3], ["north", null, "en"]));
        Assert.Same(b, maps.Get([1, 2, 3], ["north", "vip", "en"]));
        Assert.Equal([new("region", "north"), new("language", "en")], a);
        Assert.Equal([new("region", "north"), new("queue", "vip"), new("language", "en")], b);
        for (int n = 0; n < 60; n++)
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), maps.Get([n + 10, 0, 0], [n.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null])["region"]);
        Assert.Same(a, maps.Get([1, 0, 3], ["north", null, "en"]));
    }

    [Fact]
    public void Get_WhenFull_BuildsMapsWithoutKeepingThem()
    {
        var maps = new CsvAttributeMaps(["region"], 1);
        var north = maps.Get([1], ["north"]);

        var south = maps.Get([2], ["south"]);

        Assert.Equal("south", south["region"]);
        Assert.NotSame(south, maps.Get([2], ["south"]));
        Assert.Same(north, maps.Get([1], ["north"]));
    }

    [Fact]
    public void Build_MakesAMapOfThePresentValues()
    {
        var maps = new CsvAttributeMaps(["a", "b"], 10);
        Assert.Equal([new("b", "x")], maps.Build([null, "x"]));
        Assert.Same(AttributeMap.Empty, maps.Build([null, null]));
    }

    [Fact]
    public void Constructor_CapacityOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvAttributeMaps(["a"], 0));
}
