using Microsoft.Extensions.Logging;

namespace CallStream.Mongo;

/// <summary>Source-generated log messages of CallStream.Mongo. Endpoints are host lists: they never carry credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Connecting to MongoDB at {Endpoint}, database '{Database}'.")]
    public static partial void Connecting(ILogger logger, string endpoint, string database);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Indexes of {Collection} are in place: {Indexes}.")]
    public static partial void IndexesEnsured(ILogger logger, string collection, string indexes);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Upserted {Count} document(s) into {Collection}: {Inserted} new, {Updated} changed, {Unchanged} already stored.")]
    public static partial void BatchWritten(ILogger logger, int count, string collection, long inserted, long updated, long unchanged);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "{Count} document(s) of a batch for {Collection} were stored by a concurrent upsert meanwhile (duplicate key); they count as stored.")]
    public static partial void DuplicatesStored(ILogger logger, int count, string collection);
}
