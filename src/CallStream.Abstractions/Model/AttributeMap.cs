using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace CallStream;

/// <summary>
/// The extra, free-form text attributes of an interaction (CSV columns outside the contract), in their original
/// order. Immutable; names are case-sensitive. Built for the handful of attributes a log carries: lookups scan.
/// Creating and comparing maps take time linear in their size, however many attributes they hold.
/// </summary>
public sealed class AttributeMap : IReadOnlyDictionary<string, string>, IEquatable<AttributeMap>
{
    // Up to this many names, comparing each pair is cheaper than hashing them.
    private const int MaxPairwise = 16;

    private readonly KeyValuePair<string, string>[] _items;

    private AttributeMap(KeyValuePair<string, string>[] items) => _items = items;

    /// <summary>Gets the map with no attributes.</summary>
    public static AttributeMap Empty { get; } = new([]);

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    /// <inheritdoc/>
    public IEnumerable<string> Values => _items.Select(i => i.Value);

    /// <inheritdoc/>
    public string this[string key] => TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"The interaction has no attribute '{key}'.");

    /// <summary>Creates a map from name/value pairs.</summary>
    /// <param name="attributes">The pairs; names must be non-empty and unique, values non-null.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentException">A name is empty or repeated, or a value is null.</exception>
    public static AttributeMap Create(IEnumerable<KeyValuePair<string, string>> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes is AttributeMap map)
            return map;
        var items = attributes.ToArray();
        if (items.Length == 0)
            return Empty;
        var seen = items.Length > MaxPairwise ? new HashSet<string>(items.Length, StringComparer.Ordinal) : null;
        for (int i = 0; i < items.Length; i++)
        {
            if (string.IsNullOrEmpty(items[i].Key))
                throw new ArgumentException("Attribute names must not be empty.", nameof(attributes));
            if (items[i].Value is null)
                throw new ArgumentException($"Attribute '{items[i].Key}' has a null value.", nameof(attributes));
            if (seen is null ? IsBefore(items, i) : !seen.Add(items[i].Key))
                throw new ArgumentException($"Attribute '{items[i].Key}' is given twice.", nameof(attributes));
        }
        return new AttributeMap(items);

        static bool IsBefore(KeyValuePair<string, string>[] items, int i)
        {
            for (int j = 0; j < i; j++)
            {
                if (string.Equals(items[j].Key, items[i].Key, StringComparison.Ordinal))
                    return true;
            }
            return false;
        }
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var item in _items)
        {
            if (string.Equals(item.Key, key, StringComparison.Ordinal))
            {
                value = item.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>Gets an attribute's value, or <see langword="null"/> when there is no such attribute.</summary>
    /// <param name="key">The attribute name.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? GetValueOrDefault(string key) => TryGetValue(key, out string? value) ? value : null;

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Two maps are equal when they hold the same names with the same values, in any order.</summary>
    /// <param name="other">The other map.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(AttributeMap? other)
    {
        if (other is null || other.Count != Count)
            return false;
        if (ReferenceEquals(this, other))
            return true;
        if (Count > MaxPairwise)
        {
            var values = new Dictionary<string, string>(other._items, StringComparer.Ordinal);
            foreach (var item in _items)
            {
                if (!values.TryGetValue(item.Key, out string? v) || !string.Equals(v, item.Value, StringComparison.Ordinal))
                    return false;
            }
            return true;
        }
        foreach (var item in _items)
        {
            if (!other.TryGetValue(item.Key, out string? v) || !string.Equals(v, item.Value, StringComparison.Ordinal))
                return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AttributeMap);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = 0;
        foreach (var item in _items)
            hash ^= HashCode.Combine(item.Key, item.Value);
        return hash;
    }
}
