namespace CallStream.Rules.Engine;

/// <summary>Reads the value counted by a <c>distinct(...)</c> aggregate from an event.</summary>
internal delegate DistinctKey DistinctKeyEval(Interaction e);

/// <summary>
/// A value counted by <c>distinct(...)</c>, without boxing: text by ordinal equality, numbers by value
/// (<c>-0</c> equals <c>0</c>), instants by ticks. The default value is null, which is never counted.
/// </summary>
internal readonly struct DistinctKey : IEquatable<DistinctKey>
{
    private const byte NullKind = 0;
    private const byte NumberKind = 1;
    private const byte TextKind = 2;
    private const byte InstantKind = 3;

    private readonly long _bits;
    private readonly string? _text;
    private readonly byte _kind;

    private DistinctKey(byte kind, long bits, string? text)
    {
        _kind = kind;
        _bits = bits;
        _text = text;
    }

    public static DistinctKey Null => default;

    public bool IsNull => _kind == NullKind;

    public static DistinctKey OfText(string? value) => value is null ? default : new(TextKind, 0, value);

    public static DistinctKey OfNumber(double value) =>
        double.IsNaN(value) ? default : new(NumberKind, BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value), null);

    public static DistinctKey OfInstant(long ticks) => ticks == InstantValues.Null ? default : new(InstantKind, ticks, null);

    public bool Equals(DistinctKey other) =>
        _kind == other._kind && _bits == other._bits && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is DistinctKey other && Equals(other);

    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? _bits.GetHashCode();
}
