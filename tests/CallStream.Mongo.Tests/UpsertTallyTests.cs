namespace CallStream.Mongo.Tests;

public class UpsertTallyTests
{
    private static readonly string[] Ids = ["a", "b", "c", "d"];

    [Fact]
    public void Record_UpsertedDocuments_AreNew_MatchedOnesAlreadyStored()
    {
        var tally = new UpsertTally();

        Assert.Equal((3L, 0L), tally.Record(3, [0, 1, 2], [], i => Ids[i], final: true));
        Assert.Equal((0L, 3L), tally.Record(3, [], [], i => Ids[i], final: true)); // the same batch again: every document matched

        Assert.Equal(3, tally.Added);
        Assert.Equal(3, tally.AlreadyStored);
    }

    [Fact]
    public void Record_AnIdTwiceInABatch_IsNewOnce_AndAlreadyStoredOnce()
    {
        string[] ids = ["a", "a", "b"];
        Assert.Equal((2L, 1L), new UpsertTally().Record(3, [0, 2], [], i => ids[i], final: true));
    }

    [Fact]
    public void Record_FailedDocuments_AreNotCounted()
    {
        var tally = new UpsertTally();
        Assert.Equal((1L, 2L), tally.Record(4, [0], [3], i => Ids[i], final: true));
    }

    [Fact]
    public void Record_ABatchWrittenAgainAfterATransientFailure_StillCountsWhatTheFailedAttemptInserted()
    {
        var tally = new UpsertTally();

        // First attempt: a and c inserted, b already there, d failed (a write conflict): not counted yet.
        Assert.Equal((0L, 0L), tally.Record(4, [0, 2], [3], i => Ids[i], final: false));
        // Second attempt: a, b, c matched, d inserted.
        Assert.Equal((3L, 1L), tally.Record(4, [3], [], i => Ids[i], final: true));

        Assert.Equal(3, tally.Added);
        Assert.Equal(1, tally.AlreadyStored);
        // Writing the same documents once more: all already stored.
        Assert.Equal((0L, 4L), tally.Record(4, [], [], i => Ids[i], final: true));
    }
}
