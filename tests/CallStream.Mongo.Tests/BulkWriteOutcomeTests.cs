using System.Net;
using System.Reflection;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;

namespace CallStream.Mongo.Tests;

public class BulkWriteOutcomeTests
{
    private const string DuplicateId = "E11000 duplicate key error collection: callstream.alerts index: _id_ dup key: { _id: \"a1\" }";
    private static readonly string[] Ids = ["a0", "a1", "a2", "a3"];

    [Fact]
    public void Classify_DuplicateKeyOnId_CountsAsStored()
    {
        var outcome = BulkWriteOutcome.Classify([new DocumentWriteError(1, 11000, DuplicateId), new DocumentWriteError(3, 11000, "E11000 duplicate key error")], null, i => Ids[i]);
        Assert.True(outcome.AllStored);
        Assert.Equal(2, outcome.Duplicates);
        Assert.Empty(outcome.Failures);
    }

    [Fact]
    public void Classify_DuplicateOnAnotherUniqueIndex_IsAFailure()
    {
        var outcome = BulkWriteOutcome.Classify(
            [new DocumentWriteError(2, 11000, "E11000 duplicate key error collection: callstream.alerts index: message_1 dup key: { message: \"x\" }")], null, i => Ids[i]);
        Assert.False(outcome.AllStored);
        Assert.Equal("a2", Assert.Single(outcome.Failures).Id);
    }

    [Fact]
    public void Classify_OtherErrors_AreFailuresNamingTheIds()
    {
        var outcome = BulkWriteOutcome.Classify(
            [new DocumentWriteError(0, 10334, "BSONObj size: 17000000 is invalid"), new DocumentWriteError(1, 11000, DuplicateId), new DocumentWriteError(2, 121, "Document failed validation")],
            null, i => Ids[i]);
        Assert.False(outcome.AllStored);
        Assert.Equal(1, outcome.Duplicates);
        Assert.Equal(["a0", "a2"], outcome.Failures.Select(f => f.Id));
        string message = outcome.Describe(4, "alerts", "callstream.alerts");
        Assert.StartsWith("2 of 4 alerts could not be written to callstream.alerts: 'a0' (code 10334: BSONObj size", message, StringComparison.Ordinal);
        Assert.Contains("'a2' (code 121: Document failed validation)", message, StringComparison.Ordinal);
        Assert.Contains("The other documents are stored.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_WriteConcernError_IsNotStored_EvenWithoutDocumentErrors()
    {
        var outcome = BulkWriteOutcome.Classify([], "WriteConcernFailed (64): waiting for replication timed out", i => Ids[i]);
        Assert.False(outcome.AllStored);
        Assert.Empty(outcome.Failures);
        Assert.Contains("did not confirm the write concern for 4 alerts in callstream.alerts (WriteConcernFailed (64)", outcome.Describe(4, "alerts", "callstream.alerts"), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ListsAtMostTenIds()
    {
        var errors = Enumerable.Range(0, 25).Select(i => new DocumentWriteError(i, 2, "bad"));
        string message = BulkWriteOutcome.Classify(errors, null, i => "id" + i).Describe(25, "interactions", "callstream.interactions");
        Assert.Contains("'id9' (code 2: bad) and 15 more.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("'id10'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TheDriversBulkWriteException_ReadsItsErrorsAndWriteConcernError()
    {
        var exception = new MongoBulkWriteException<BsonDocument>(
            new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("db1", 27017))),
            new BulkWriteResult<BsonDocument>.Acknowledged(4, 0, 0, 2, 0, [], []),
            [NewBulkWriteError(1, ServerErrorCategory.DuplicateKey, 11000, DuplicateId), NewBulkWriteError(2, ServerErrorCategory.Uncategorized, 121, "Document failed validation")],
            null!,
            []);

        var outcome = BulkWriteOutcome.Classify(exception, i => Ids[i]);

        Assert.Equal(1, outcome.Duplicates);
        Assert.Equal(("a2", 121, "Document failed validation"), Assert.Single(outcome.Failures));
        Assert.Null(outcome.WriteConcernError);
    }

    // The driver's BulkWriteError has no public constructor; the test builds one as the driver does.
    private static BulkWriteError NewBulkWriteError(int index, ServerErrorCategory category, int code, string message) =>
        (BulkWriteError)typeof(BulkWriteError)
            .GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(int), typeof(ServerErrorCategory), typeof(int), typeof(string), typeof(BsonDocument)])!
            .Invoke([index, category, code, message, new BsonDocument()]);
}
