namespace CallStream.Generation;

/// <summary>The order in which <see cref="InteractionGenerator.Generate(long, GenerationOrder)"/> delivers the interactions.</summary>
public enum GenerationOrder
{
    /// <summary>By start time, ties by id: the order of a log exported by start time (the default).</summary>
    Start = 0,

    /// <summary>
    /// By end time (start time plus duration), ties by interaction id (ordinal): the order in which a contact-centre
    /// system writes its records, one as each contact ends. The same interactions as <see cref="Start"/>, reordered.
    /// </summary>
    End = 1,
}
