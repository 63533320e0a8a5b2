using CallStream.Pipeline;

namespace CallStream.Hosting;

/// <summary>A sink the hosted pipeline writes to: its name, how to get it, and its batching.</summary>
/// <typeparam name="T">The item type: <see cref="Alert"/> or <see cref="Interaction"/>.</typeparam>
/// <param name="Name">The sink's name, unique among the sinks of its item type.</param>
/// <param name="Resolve">Gets the sink from the service provider (the container owns it).</param>
/// <param name="Batching">The batching options, or <see langword="null"/> for the pipeline's defaults.</param>
internal sealed record SinkRegistration<T>(string Name, Func<IServiceProvider, IBatchedSink<T>> Resolve, BatchingOptions? Batching);

/// <summary>How the hosted pipeline creates its source; a source is read once, so a new one is created per run.</summary>
/// <param name="Create">Creates the source.</param>
internal sealed record SourceRegistration(Func<IServiceProvider, IInteractionSource> Create);

/// <summary>A rule file added with <c>AddRuleFile</c> (or <c>CallStream:Rules:File</c>).</summary>
/// <param name="FullPath">The file's full path.</param>
/// <param name="ReloadOnChange">Whether it is watched.</param>
internal sealed record RuleFileRegistration(string FullPath, bool ReloadOnChange);
