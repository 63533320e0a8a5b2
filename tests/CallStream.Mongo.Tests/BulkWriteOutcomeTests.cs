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
        Assert.EndsWith("The server refuses them for good: writing them again cannot succeed. The other 2 are stored.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_EveryDocumentFailed_SaysNoneWasWritten_AndNamesAReplayedIdOnce()
    {
        // a1 is in the batch twice (a replayed record); every document fails.
        string[] ids = ["a0", "a1", "a1", "a2"];
        var outcome = BulkWriteOutcome.Classify(Enumerable.Range(0, 4).Select(i => new DocumentWriteError(i, 121, "Document failed validation")), null, i => ids[i]);

        string message = outcome.Describe(4, "alerts", "callstream.alerts");

        Assert.Equal(
            "None of the 4 alerts could be written to callstream.alerts (3 distinct ids): 'a0' (code 121: Document failed validation), "
            + "'a1' (code 121: Document failed validation), 'a2' (code 121: Document failed validation). "
            + "The server refuses them for good: writing them again cannot succeed.",
            message);
        Assert.Equal(["a0", "a1", "a2"], outcome.FailedIds);
        Assert.DoesNotContain("other", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_TransientFailures_SayTheyMaySucceedAgain_AndCountTheOthers()
    {
        var outcome = BulkWriteOutcome.Classify([new DocumentWriteError(3, 112, "WriteConflict")], null, i => Ids[i]);
        Assert.Equal(
            "1 of 4 alerts could not be written to callstream.alerts: 'a3' (code 112: WriteConflict). The errors are transient: writing them again may succeed. The other 3 are stored.",
            outcome.Describe(4, "alerts", "callstream.alerts"));
        Assert.False(outcome.OthersStored);
    }

    [Fact]
    public void Describe_FailuresAndAnUnconfirmedWriteConcern_DoesNotCallTheOthersStored()
    {
        var outcome = BulkWriteOutcome.Classify([new DocumentWriteError(0, 121, "Document failed validation")], "WriteConcernFailed (64): timed out", i => Ids[i]);
        string message = outcome.Describe(4, "alerts", "callstream.alerts");
        Assert.EndsWith("The other 3 were written, but the server did not confirm the write concern (WriteConcernFailed (64): timed out).", message, StringComparison.Ordinal);
        Assert.DoesNotContain("are stored", message, StringComparison.Ordinal);
        Assert.False(outcome.OthersStored);
    }

    [Fact]
    public void Describe_MixedPermanentAndTransient_SaysWhichIsWhich()
    {
        var outcome = BulkWriteOutcome.Classify([new DocumentWriteError(0, 121, "Document failed validation"), new DocumentWriteError(1, 11602, "InterruptedDueToReplStateChange")], null, i => Ids[i]);
        Assert.Contains(
            "1 of them are refused for good (writing them again cannot succeed); the others failed for a transient reason. The other 2 are stored.",
            outcome.Describe(4, "alerts", "callstream.alerts"),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(121, "Document failed validation", true)]
    [InlineData(10334, "BSONObj size: 17000000 is invalid", true)]
    [InlineData(2, "bad value", true)]
    [InlineData(11000, "E11000 duplicate key error collection: callstream.alerts index: message_1 dup key: { message: \"x\" }", true)]
    [InlineData(11000, DuplicateId, false)]
    [InlineData(112, "WriteConflict", false)]
    [InlineData(11602, "InterruptedDueToReplStateChange", false)]
    [InlineData(10107, "not primary", false)]
    [InlineData(189, "PrimarySteppedDown", false)]
    [InlineData(91, "ShutdownInProgress", false)]
    [InlineData(50, "MaxTimeMSExpired", false)]
    [InlineData(89, "NetworkTimeout", false)]
    [InlineData(13, "Unauthorized", false)]
    [InlineData(99999, "a code not known here", false)]
    public void IsPermanent_OnlyForErrorsThatLieInTheDocument(int code, string message, bool permanent) =>
        Assert.Equal(permanent, BulkWriteOutcome.IsPermanent(new DocumentWriteError(0, code, message)));

    [Fact]
    public void ToException_PermanentFailures_AreRejectedItemsByPosition_WithTheStoreErrorInside()
    {
        var outcome = BulkWriteOutcome.Classify(
            [new DocumentWriteError(2, 121, "Document failed validation"), new DocumentWriteError(1, 11000, DuplicateId)], null, i => Ids[i]);
        var cause = new InvalidOperationException("driver");

        var exception = Assert.IsType<SinkItemsRejectedException>(outcome.ToException("message", "db1:27017", cause));

        Assert.Equal([new RejectedItem(2, "code 121: Document failed validation")], exception.Rejected);
        Assert.True(exception.OthersStored);
        var store = Assert.IsType<MongoStoreException>(exception.InnerException);
        Assert.Equal(["a2"], store.FailedIds);
        Assert.Equal("db1:27017", store.Endpoint);
        Assert.Same(cause, store.InnerException);
    }

    [Fact]
    public void ToException_PermanentAndTransientFailures_SaysTheOthersAreNotAllStored()
    {
        var outcome = BulkWriteOutcome.Classify([new DocumentWriteError(0, 121, "invalid"), new DocumentWriteError(3, 112, "WriteConflict")], null, i => Ids[i]);
        var exception = Assert.IsType<SinkItemsRejectedException>(outcome.ToException("message", "db1:27017", new InvalidOperationException()));
        Assert.Equal([0], exception.Rejected.Select(r => r.Position));
        Assert.False(exception.OthersStored);
    }

    [Fact]
    public void ToException_OnlyTransientFailures_IsAStoreException_RetriedByTheCore()
    {
        var outcome = BulkWriteOutcome.Classify([new DocumentWriteError(1, 112, "WriteConflict"), new DocumentWriteError(2, 112, "WriteConflict")], null, i => Ids[i]);
        var exception = Assert.IsType<MongoStoreException>(outcome.ToException("message", "db1:27017", new InvalidOperationException()));
        Assert.Equal(["a1", "a2"], exception.FailedIds);
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
        Assert.Contains("'id9' (code 2: bad) and 15 more. ", message, StringComparison.Ordinal);
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
        Assert.Equal(new FailedDocument(2, "a2", 121, "Document failed validation", Permanent: true), Assert.Single(outcome.Failures));
        Assert.Null(outcome.WriteConcernError);
    }

    // The driver's BulkWriteError has no public constructor; the test builds one as the driver does.
    private static BulkWriteError NewBulkWriteError(int index, ServerErrorCategory category, int code, string message) =>
        (BulkWriteError)typeof(BulkWriteError)
            .GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(int), typeof(ServerErrorCategory), typeof(int), typeof(string), typeof(BsonDocument)])!
            .Invoke([index, category, code, message, new BsonDocument()]);
}
