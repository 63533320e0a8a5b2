using CallStream.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using System.Diagnostics.Metrics;

namespace CallStream.Hosting;

/// <summary>
/// The hosted service of <c>AddCallStream</c>: builds an <see cref="InteractionPipeline"/> from the configured source,
/// rules and sinks and runs it until the host stops, then stops it gracefully (drains the sinks and commits the
/// source's offsets). When the rules are reloaded it stops the running pipeline the same way and starts a new one
/// with the new rules, which resumes from the committed offsets.
/// </summary>
public sealed class CallStreamHostedService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly RuleSetMonitor _rules;
    private readonly IOptions<InteractionPipelineOptions> _pipelineOptions;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly HostMetrics _metrics;
    private volatile InteractionPipeline? _running;
    private volatile PipelineStatistics? _last;
    private int _runs;

    /// <summary>Creates the service; the container calls this.</summary>
    /// <param name="services">The service provider the source and sinks are resolved from.</param>
    /// <param name="pipelineOptions">The pipeline options.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    internal CallStreamHostedService(IServiceProvider services, IOptions<InteractionPipelineOptions> pipelineOptions, ILoggerFactory loggerFactory)
    {
        _services = services;
        _rules = services.GetRequiredService<RuleSetMonitor>();
        _pipelineOptions = pipelineOptions;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<CallStreamHostedService>();
        _metrics = services.GetRequiredService<HostMetrics>();
    }

    /// <summary>Gets the running rules.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet.</exception>
    public RuleSet Rules => _rules.Current;

    /// <summary>Gets how many times a pipeline was started (1 + the number of rule reloads that restarted it).</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Gets how many rule changes were rejected because the new rules were invalid or unreadable (the
    /// running rules stayed; the diagnostics are in the log).</summary>
    public long RejectedRuleChanges => _rules.Rejected;

    /// <summary>Gets why the pipeline failed for good (the host then stops), or <see langword="null"/>.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Gets a value indicating whether a pipeline is running.</summary>
    public bool IsRunning => _running is not null;

    /// <summary>Gets the statistics of the running pipeline, or of the last one when none runs, or
    /// <see langword="null"/> before the first start.</summary>
    /// <returns>The statistics, or <see langword="null"/>.</returns>
    public PipelineStatistics? GetStatistics() => _running?.GetStatistics() ?? _last;

    /// <summary>
    /// Declares the input finished (for a bounded input such as a demo): the running pipeline evaluates the events it
    /// holds, flushes every sink and stops, and the service then stops the application. Does nothing when no
    /// pipeline runs.
    /// </summary>
    public void CompleteInput() => _running?.Complete();

    /// <summary>Loads the rules (a failure stops the host's start with the rules' diagnostics) and starts the pipeline.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the pipeline was started.</returns>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService<SourceRegistration>() is null)
            throw new InvalidOperationException("CallStream has no source: call UseKafkaSource() (package CallStream.Kafka) or UseSource(...) in AddCallStream.");
        _rules.Start();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var source = _services.GetRequiredService<SourceRegistration>();
        var alertSinks = _services.GetServices<SinkRegistration<Alert>>().ToList();
        var interactionSinks = _services.GetServices<SinkRegistration<Interaction>>().ToList();
        var meterFactory = _services.GetService<IMeterFactory>();
        Exception? failure = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                RuleSet rules = _rules.Current;
                IChangeToken reloaded = _rules.Watch();
                using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                using var onReload = reloaded.RegisterChangeCallback(static state => ((CancellationTokenSource)state!).Cancel(), run);
                if (!ReferenceEquals(rules, _rules.Current))
                    continue;

                var interactionSource = source.Create(_services);
                await using (interactionSource.ConfigureAwait(false))
                {
                    var pipeline = new InteractionPipeline(interactionSource, rules, _pipelineOptions.Value, _loggerFactory, meterFactory);
                    await using (pipeline.ConfigureAwait(false))
                    {
                        foreach (var sink in alertSinks)
                            pipeline.AddAlertSink(sink.Name, new MeteredSink<Alert>(sink.Resolve(_services), sink.Name, _metrics), sink.Batching);
                        foreach (var sink in interactionSinks)
                            pipeline.AddInteractionSink(sink.Name, new MeteredSink<Interaction>(sink.Resolve(_services), sink.Name, _metrics), sink.Batching);
                        Log.PipelineStarting(_logger, rules.Count, alertSinks.Count, string.Join(", ", alertSinks.Select(s => s.Name)), interactionSinks.Count, string.Join(", ", interactionSinks.Select(s => s.Name)));
                        Interlocked.Increment(ref _runs);
                        _running = pipeline;
                        try
                        {
                            var summary = await pipeline.RunAsync(run.Token).ConfigureAwait(false);
                            Log.PipelineStopped(_logger, Runs, summary.Consumed, summary.Alerts, summary.InputCompleted);
                            if (summary.InputCompleted)
                            {
                                _services.GetService<IHostApplicationLifetime>()?.StopApplication();
                                return;
                            }
                        }
                        finally
                        {
                            _last = pipeline.GetStatistics();
                            _running = null;
                        }
                    }
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            failure = exception;
            Log.PipelineFailed(_logger, exception);
            throw;
        }
        finally
        {
            Failure = failure;
        }
    }
}
