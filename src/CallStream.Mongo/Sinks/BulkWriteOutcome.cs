using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Mongo;

/// <summary>One per-document error of an unordered bulk write: the position in the batch, the server's code and message.</summary>
/// <param name="Index">The document's position in the batch.</param>
/// <param name="Code">The server's error code (11000 is a duplicate key).</param>
/// <param name="Message">The server's message.</param>
internal readonly record struct DocumentWriteError(int Index, int Code, string Message);

/// <summary>A document of a batch that was not written.</summary>
/// <param name="Index">Its position in the batch.</param>
/// <param name="Id">Its <c>_id</c>.</param>
/// <param name="Code">The server's error code.</param>
/// <param name="Message">The server's message.</param>
/// <param name="Permanent">Whether writing it again can never succeed (the error lies in the document).</param>
internal readonly record struct FailedDocument(int Index, string Id, int Code, string Message, bool Permanent);

/// <summary>
/// What an unordered bulk upsert that reported errors means for the batch: documents whose upsert lost a race with a
/// concurrent upsert of the same <c>_id</c> (duplicate key on <c>_id</c>) are stored; any other error is a failure,
/// permanent when it lies in the document (<see cref="IsPermanent"/>), transient otherwise.
/// </summary>
/// <param name="Duplicates">How many documents were stored by a concurrent upsert.</param>
/// <param name="Failures">The documents that were not written, in batch order.</param>
/// <param name="WriteConcernError">The write concern error, or <see langword="null"/>: when set, durability of the batch is unconfirmed.</param>
internal sealed record BulkWriteOutcome(int Duplicates, IReadOnlyList<FailedDocument> Failures, string? WriteConcernError)
{
    /// <summary>The duplicate key error code.</summary>
    public const int DuplicateKeyCode = 11000;

    /// <summary>At most this many ids are named in a description.</summary>
    private const int Shown = 10;

    /// <summary>
    /// The server's codes for a document it can never store as it is: the write fails the same way however often it
    /// is tried. Every other code (network, timeouts, stepdowns, write conflicts, interruptions, a code not known here)
    /// is treated as transient, so a failure of the deployment never makes documents be given up.
    /// </summary>
    private static readonly HashSet<int> PermanentCodes =
    [
        2,     // BadValue
        9,     // FailedToParse
        14,    // TypeMismatch
        52,    // DollarPrefixedFieldName
        55,    // InvalidDBRef
        56,    // EmptyFieldName
        57,    // DottedFieldName
        66,    // ImmutableField
        121,   // DocumentValidationFailure
        10334, // BSONObjectTooLarge
        16755, // a geo index cannot extract the document's keys
        17280, // KeyTooLong
        17419, // the document would exceed the size limit
    ];

    /// <summary>Gets whether every document of the batch is stored.</summary>
    public bool AllStored => Failures.Count == 0 && WriteConcernError is null;

    /// <summary>Gets whether every document that is not a permanent failure is stored (no transient failure, the write concern confirmed).</summary>
    public bool OthersStored => WriteConcernError is null && Failures.All(f => f.Permanent);

    /// <summary>Gets the distinct <c>_id</c>s of the failed documents, in batch order (a replayed id can be in a batch twice).</summary>
    public IReadOnlyList<string> FailedIds => [.. Failures.Select(f => f.Id).Distinct(StringComparer.Ordinal)];

    /// <summary>Classifies the errors of a bulk write.</summary>
    /// <param name="errors">The per-document errors.</param>
    /// <param name="writeConcernError">The write concern error's message, or <see langword="null"/>.</param>
    /// <param name="idAt">Gives the <c>_id</c> of the document at a position of the batch.</param>
    /// <returns>The outcome.</returns>
    public static BulkWriteOutcome Classify(IEnumerable<DocumentWriteError> errors, string? writeConcernError, Func<int, string> idAt)
    {
        int duplicates = 0;
        var failures = new List<FailedDocument>();
        foreach (var error in errors.OrderBy(e => e.Index))
        {
            if (IsDuplicateId(error))
                duplicates++;
            else
                failures.Add(new FailedDocument(error.Index, idAt(error.Index), error.Code, error.Message, IsPermanent(error)));
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

    /// <summary>
    /// Says whether an error lies in the document, so that writing it again can never succeed: a validation failure, a
    /// document too large or malformed, a duplicate on a unique index other than <c>_id</c>.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <returns><see langword="true"/> for a permanent error.</returns>
    public static bool IsPermanent(DocumentWriteError error) =>
        error.Code == DuplicateKeyCode ? !IsDuplicateId(error) : PermanentCodes.Contains(error.Code);

    /// <summary>
    /// The exception for a batch with failed documents: a <see cref="MongoStoreException"/> naming them; when some are
    /// refused for good, wrapped in a <see cref="SinkItemsRejectedException"/> giving their positions and the server's
    /// reasons, so that the core reports them at once and does not retry them.
    /// </summary>
    /// <param name="message">The message (<see cref="Describe"/>, free of secrets).</param>
    /// <param name="endpoint">The hosts.</param>
    /// <param name="cause">The driver's exception.</param>
    /// <returns>The exception to throw.</returns>
    public Exception ToException(string message, string endpoint, Exception cause)
    {
        var failure = new MongoStoreException(message, endpoint, FailedIds, cause);
        var rejected = Failures.Where(f => f.Permanent).Select(f => new RejectedItem(f.Index, $"code {f.Code}: {f.Message}")).ToList();
        return rejected.Count == 0 ? failure : new SinkItemsRejectedException(message, rejected, OthersStored, failure);
    }

    /// <summary>Describes the failures for an exception message: how many documents failed, each failed id once (at most ten, then a count), and whether writing them again can succeed.</summary>
    /// <param name="total">How many documents the batch held.</param>
    /// <param name="kind">What the documents are, for example <c>interactions</c>.</param>
    /// <param name="collection">The collection, for example <c>callstream.interactions</c>.</param>
    /// <returns>The description.</returns>
    public string Describe(int total, string kind, string collection)
    {
        if (Failures.Count == 0)
            return $"The server did not confirm the write concern for {total} {kind} in {collection} ({WriteConcernError}); the batch will be written again.";

        var first = Failures.DistinctBy(f => f.Id, StringComparer.Ordinal).ToList();
        var shown = first.Take(Shown).Select(f => $"'{f.Id}' (code {f.Code}: {f.Message})");
        string more = first.Count > Shown ? $" and {first.Count - Shown} more" : "";
        int failed = Failures.Count;
        string ids = first.Count == failed ? "" : $" ({first.Count} distinct ids)";
        string head = failed == total
            ? $"None of the {total} {kind} could be written to {collection}{ids}"
            : $"{failed} of {total} {kind} could not be written to {collection}{ids}";

        int others = total - failed;
        string rest = others == 0 ? ""
            : WriteConcernError is null ? $" The other {others} are stored."
            : $" The other {others} were written, but the server did not confirm the write concern ({WriteConcernError}).";
        if (others == 0 && WriteConcernError is not null)
            rest = $" The server did not confirm the write concern either ({WriteConcernError}).";

        int permanent = Failures.Count(f => f.Permanent);
        string fate = permanent == failed ? " The server refuses them for good: writing them again cannot succeed."
            : permanent == 0 ? " The errors are transient: writing them again may succeed."
            : $" {permanent} of them are refused for good (writing them again cannot succeed); the others failed for a transient reason.";
        return $"{head}: {string.Join(", ", shown)}{more}.{fate}{rest}";
    }
}
