namespace CallStream.Rules.Engine;

/// <summary>
/// The hash codes of keys for the <see cref="ExpiringTable{TNode}"/>s of one evaluator, remembering the last key's:
/// rules that group by the same field (and a rule's suppression after its groups) look up the same key instance in
/// turn, and hash it once.
/// </summary>
internal sealed class KeyHashes
{
    private string? _key;
    private int _hash;

    /// <summary>Gets the ordinal, randomised hash code of a key (<see cref="string.GetHashCode()"/>).</summary>
    public int Of(string key)
    {
        if (!ReferenceEquals(key, _key))
        {
            _hash = key.GetHashCode();
            _key = key;
        }
        return _hash;
    }
}
