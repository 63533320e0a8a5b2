using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Mongo;

/// <summary>One per-document error of an unordered bulk write: the position in the batch, the server's code and message.</summary>
/// <param name="Index">The document's position in the batch.</param>
/// <param name="Code">The server's error code (11000 is a duplicate key).</param>
/// <param name="Message">The server's message.</param>
internal readonly record struct DocumentWriteError(int Index, int Code, string Message);

/// <summary>
/// What an unordered bulk upsert that reported errors means for the batch: documents whose upsert lost a race with a
/// concurrent upsert of the same <c>_id</c> (duplicate key on <c>_id</c>) are stored; any other error is a failure.
/// </summary>
/// <param name="Duplicates">How many documents were stored by a concurrent upsert.</param>
/// <param name="Failures">The documents that were not written, with their ids.</param>
/// <param name="WriteConcernError">The write concern error, or <see langword="null"/>: when set, durability of the batch is unconfirmed.</param>
internal sealed record BulkWriteOutcome(int Duplicates, IReadOnlyList<(string Id, int Code, string Message)> Failures, string? WriteConcernError)
{
    /// <summary>The duplicate key error code.</summary>
    public const int DuplicateKeyCode = 11000;

    /// <summary>Gets whether every document of the batch is stored.</summary>
    public bool AllStored => Failures.Count == 0 && WriteConcernError is null;

    /// <summary>Classifies the errors of a bulk write.</summary>
    /// <param name="errors">The per-document errors.</param>
    /// <param name="writeConcernError">The write concern error's message, or <see langword="null"/>.</param>
    /// <param name="idAt">Gives the <c>_id</c> of the document at a position of the batch.</param>
    /// <returns>The outcome.</returns>
    public static BulkWriteOutcome Classify(IEnumerable<DocumentWriteError> errors, string? writeConcernError, Func<int, string> idAt)
    {
        int duplicates = 0;
        var failures = new List<(string, int, string)>();
        foreach (var error in errors)
        {
            if (IsDuplicateId(error))
                duplicates++;
            else
                failures.Add((idAt(error.Index), error.Code, error.Message));
        }
        return new BulkWriteOutcome(duplicates, failures, writeConcernError);
    }

    /// <summary>Classifies the errors of the driver's bulk write exception.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="idAt">Gives the <c>_id</c> of the document at a position of the batch.</param>
    /// <returns>The outcome.</returns>
    public static BulkWriteOutcome Classify(MongoBulkWriteException<BsonDocument> exception, Func<int, string> idAt) =>
        Classify(
            exception.WriteErrors.Select(e => new DocumentWriteError(e.Index, e.Code, e.Message ?? "")),
            exception.WriteConcernError is { } wce ? $"{wce.CodeName} ({wce.Code}): {wce.Message}" : null,
            idAt);

    /// <summary>
    /// Says whether an error is a duplicate key on <c>_id</c>: another upsert of the same id won the race, so the
    /// document (deterministic for its id) is stored. A duplicate on another unique index is a real failure.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <returns><see langword="true"/> for a duplicate <c>_id</c>.</returns>
    public static bool IsDuplicateId(DocumentWriteError error) =>
        error.Code == DuplicateKeyCode
        && (error.Message.Contains("index: _id_ ", StringComparison.Ordinal) || !error.Message.Contains("index: ", StringComparison.Ordinal));

    /// <summary>Describes the failures for an exception message (at most ten ids, then a count).</summary>
    /// <param name="total">How many documents the batch held.</param>
    /// <param name="kind">What the documents are, for example <c>interactions</c>.</param>
    /// <param name="collection">The collection, for example <c>callstream.interactions</c>.</param>
    /// <returns>The description.</returns>
    public string Describe(int total, string kind, string collection)
    {
        if (Failures.Count == 0)
            return $"The server did not confirm the write concern for {total} {kind} in {collection} ({WriteConcernError}); the batch will be written again.";
        var shown = Failures.Take(10).Select(f => $"'{f.Id}' (code {f.Code}: {f.Message})");
        string more = Failures.Count > 10 ? $" and {Failures.Count - 10} more" : "";
        string concern = WriteConcernError is null ? "" : $" The write concern was not confirmed either ({WriteConcernError}).";
        return $"{Failures.Count} of {total} {kind} could not be written to {collection}: {string.Join(", ", shown)}{more}. The other documents are stored.{concern}";
    }
}
