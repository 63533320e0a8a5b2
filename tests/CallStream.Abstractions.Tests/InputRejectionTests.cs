namespace CallStream.Abstractions.Tests;

public class InputRejectionTests
{
    [Fact]
    public void ToString_WithFieldAndValue_IsFileLineColumnFieldValueReason()
    {
        var rejection = new InputRejection("calls.csv", 12, 6, "duration_seconds", "-3", "must not be negative.", "raw");
        Assert.Equal("calls.csv:12:6: field 'duration_seconds' value '-3': must not be negative.", rejection.ToString());
    }

    [Fact]
    public void ToString_WithoutValue_OrWithoutField_LeavesThemOut()
    {
        Assert.Equal("a.csv:2:3: field 'agent_id': is required but empty.", new InputRejection("a.csv", 2, 3, "agent_id", null, "is required but empty.", null).ToString());
        Assert.Equal("a.csv:2:1: the row is too long.", new InputRejection("a.csv", 2, 1, null, null, "the row is too long.", null).ToString());
        Assert.Equal("a.csv:2:1: value 'x': odd.", new InputRejection("a.csv", 2, 1, null, "x", "odd.", null).ToString());
    }

    [Fact]
    public void Problems_ByDefault_IsTheOneProblemTheRejectionDescribes()
    {
        var rejection = new InputRejection("a.csv", 2, 3, "agent_id", null, "is required but empty.", null);
        Assert.Equal([new InputFieldProblem(3, "agent_id", null, "is required but empty.")], rejection.Problems);
    }

    [Fact]
    public void ToString_SeveralProblems_NamesEachColumnOnOneLine()
    {
        var rejection = new InputRejection("a.csv", 2, 4, "channel", "fax", "unknown channel.", "raw")
        {
            Problems = [new(4, "channel", "fax", "unknown channel."), new(6, "duration_seconds", "-5", "must not be negative."), new(8, "x", null, "odd.")],
        };
        Assert.Equal(
            "a.csv:2:4: field 'channel' value 'fax': unknown channel. Also column 6: field 'duration_seconds' value '-5': must not be negative. Also column 8: field 'x': odd.",
            rejection.ToString());
        Assert.Throws<ArgumentException>(() => rejection with { Problems = [] });
    }

    [Fact]
    public void ToString_EscapesControlCharactersAndShortensLongValues()
    {
        var rejection = new InputRejection("a", 1, 1, "note", "one\ntwo\r\tthree\0" + new string('x', 100), "bad.", null);
        string text = rejection.ToString();
        Assert.StartsWith("a:1:1: field 'note' value 'one\\ntwo\\r\\tthree\\u0000xxx", text, StringComparison.Ordinal);
        Assert.EndsWith("...': bad.", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public void InputRejectedException_CarriesTheRejectionAndItsLine()
    {
        var rejection = new InputRejection("a.ndjson", 7, 1, null, null, "the line is null, not a JSON object.", "null");
        var ex = new InputRejectedException(rejection);
        Assert.Same(rejection, ex.Rejection);
        Assert.Equal("a.ndjson:7:1: the line is null, not a JSON object.", ex.Message);
        Assert.IsAssignableFrom<FormatException>(ex);
        Assert.Throws<ArgumentNullException>(() => new InputRejectedException((InputRejection)null!));
        Assert.Null(new InputRejectedException("message").Rejection);
    }
}
