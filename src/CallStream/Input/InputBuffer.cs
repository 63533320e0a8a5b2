namespace CallStream.Input;

/// <summary>How the readers' input buffers grow: doubling, at least by a chunk, never past what the longest allowed record needs.</summary>
internal static class InputBuffer
{
    /// <summary>Gets the next size of a full buffer.</summary>
    /// <param name="length">The buffer's current length.</param>
    /// <param name="chunkSize">The reader's read size: the least a buffer grows by.</param>
    /// <param name="limit">The most the longest allowed record (with its look-ahead) needs.</param>
    /// <returns>The new length, always greater than <paramref name="length"/>.</returns>
    public static int GrownSize(int length, int chunkSize, long limit)
    {
        int size = (int)Math.Min(Math.Max((long)length * 2, chunkSize), limit);
        return size <= length ? length + chunkSize : size;
    }
}
