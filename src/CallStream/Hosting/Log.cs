using Microsoft.Extensions.Logging;

namespace CallStream.Hosting;

/// <summary>Source-generated log messages of the CallStream host.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "CallStream rules loaded: {Count} rule(s) from {Sources}.")]
    public static partial void RulesLoaded(ILogger logger, int count, string sources);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Rule diagnostic: {Diagnostic}")]
    public static partial void RuleDiagnostic(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "The rules were not reloaded ({Reason}): {Errors} error(s), listed above; the {Count} running rule(s) stay.")]
    public static partial void ReloadRejected(ILogger logger, string reason, int errors, int count);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "The rules were not reloaded ({Reason}); the {Count} running rule(s) stay.")]
    public static partial void ReloadFailed(ILogger logger, Exception exception, string reason, int count);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "The rules did not change ({Reason}).")]
    public static partial void ReloadUnchanged(ILogger logger, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "The rules were reloaded ({Reason}): {Count} rule(s); the pipeline restarts from its committed offsets.")]
    public static partial void RulesReloaded(ILogger logger, string reason, int count);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "CallStream pipeline starting: {Rules} rule(s), {AlertSinks} alert sink(s) [{AlertSinkNames}], {InteractionSinks} interaction sink(s) [{InteractionSinkNames}].")]
    public static partial void PipelineStarting(ILogger logger, int rules, int alertSinks, string alertSinkNames, int interactionSinks, string interactionSinkNames);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "CallStream pipeline run {Run} ended: {Consumed} record(s) read, {Alerts} alert(s); input completed: {InputCompleted}.")]
    public static partial void PipelineStopped(ILogger logger, int run, long consumed, long alerts, bool inputCompleted);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Critical, Message = "CallStream pipeline failed; the host stops.")]
    public static partial void PipelineFailed(ILogger logger, Exception exception);
}
