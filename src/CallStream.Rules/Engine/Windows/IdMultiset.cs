using System.Numerics;
using System.Runtime.CompilerServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// A counted multiset of small non-negative integer ids (the values of a <c>distinct(...)</c> column, interned by
/// <see cref="DistinctIds"/>) in a span of <see cref="long"/> slots that its owner keeps inside a larger array: an
/// open-addressing hash table with linear probing, each slot holding <c>id + 1</c> in its low 32 bits (0 is empty)
/// and the id's count in its high 32 bits.
/// </summary>
/// <remarks>
/// The table's length is a power of two and the caller keeps it at most half full, so a probe ends quickly and never
/// wraps round a full table. A removed slot is refilled by shifting back the entries probed past it (no tombstones),
/// as <see cref="ExpiringTable{TNode}"/> does. Ids are hashed with a multiplicative (Fibonacci) hash, which spreads
/// consecutive ids over the table.
/// </remarks>
internal static class IdMultiset
{
    /// <summary>Adds one occurrence of an id.</summary>
    /// <returns><see langword="true"/> when the id was not in the set before.</returns>
    public static bool Add(Span<long> table, int id)
    {
        int mask = table.Length - 1;
        long tag = (long)(uint)(id + 1);
        for (int i = Home(id, mask); ; i = (i + 1) & mask)
        {
            long slot = table[i];
            if (slot == 0)
            {
                table[i] = tag | (1L << 32);
                return true;
            }
            if ((slot & 0xFFFF_FFFFL) == tag)
            {
                table[i] = slot + (1L << 32);
                return false;
            }
        }
    }

    /// <summary>Removes one occurrence of an id that is in the set.</summary>
    /// <returns><see langword="true"/> when that was its last occurrence (the id left the set).</returns>
    public static bool Remove(Span<long> table, int id)
    {
        int mask = table.Length - 1;
        long tag = (long)(uint)(id + 1);
        int i = Home(id, mask);
        while ((table[i] & 0xFFFF_FFFFL) != tag)
        {
            if (table[i] == 0)
                throw new InvalidOperationException($"Id {id} is not in the set.");
            i = (i + 1) & mask;
        }
        long count = (long)((ulong)table[i] >> 32);
        if (count > 1)
        {
            table[i] -= 1L << 32;
            return false;
        }
        // Backward-shift deletion: move each later entry of the run into the hole when its home slot does not lie
        // (cyclically) between the hole and itself, so every entry stays reachable from its home slot.
        int hole = i;
        for (int j = (i + 1) & mask; table[j] != 0; j = (j + 1) & mask)
        {
            int home = Home(IdOf(table[j]), mask);
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                table[hole] = table[j];
                hole = j;
            }
        }
        table[hole] = 0;
        return true;
    }

    /// <summary>Gets the id held by a non-empty slot.</summary>
    public static int IdOf(long slot) => (int)(uint)slot - 1;

    /// <summary>Gets the count held by a non-empty slot.</summary>
    public static int CountOf(long slot) => (int)((ulong)slot >> 32);

    /// <summary>Copies the entries of one table into another, empty and large enough (a power of two at least twice their number).</summary>
    public static void CopyTo(ReadOnlySpan<long> from, Span<long> to)
    {
        int mask = to.Length - 1;
        foreach (long slot in from)
        {
            if (slot == 0)
                continue;
            int i = Home(IdOf(slot), mask);
            while (to[i] != 0)
                i = (i + 1) & mask;
            to[i] = slot;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Home(int id, int mask) => (int)BitOperations.RotateRight((uint)id * 2654435769u, 16) & mask;
}
