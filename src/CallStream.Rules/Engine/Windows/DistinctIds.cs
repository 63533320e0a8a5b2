using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// The values of one <c>distinct(...)</c> column of one rule that some window holds, each given a small integer id
/// with a reference count, so the groups' windows count ids in an <see cref="IdMultiset"/> inside their own arrays
/// instead of each keeping a hash map of values.
/// </summary>
/// <remarks>
/// A value is hashed once when its event enters (<see cref="Intern"/>); the rest — adding to a group's set, leaving
/// the window, dropping a group — handles its id only. Every holder of an id (an entry of a sliding window, a member of
/// a tumbling window's set) takes a reference and releases it; an id whose last reference is released is forgotten
/// and reused, so the table holds no more values than the live windows do.
/// </remarks>
internal sealed class DistinctIds
{
    private readonly Dictionary<DistinctKey, int> _ids = [];
    private DistinctKey[] _values = new DistinctKey[16];
    private int[] _references = new int[16];
    private int[] _free = new int[16];
    private int _freeCount;
    private int _next;

    /// <summary>Gets the number of values held.</summary>
    public int Count => _ids.Count;

    /// <summary>Gets the id of a non-null value, giving it a new one (with no reference yet) when it has none.</summary>
    /// <remarks>A new id must be given a reference (<see cref="AddReference"/>) before the next call that may release one.</remarks>
    public int Intern(DistinctKey value)
    {
        ref int id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, value, out bool exists);
        if (!exists)
            id = NewId(value);
        return id;
    }

    /// <summary>Gets the id of a non-null value and takes a reference on it.</summary>
    public int Acquire(DistinctKey value)
    {
        int id = Intern(value);
        _references[id]++;
        return id;
    }

    /// <summary>Takes a reference on an id.</summary>
    public void AddReference(int id) => _references[id]++;

    /// <summary>Releases a reference on an id; the last one forgets its value.</summary>
    public void Release(int id)
    {
        if (--_references[id] > 0)
            return;
        _ids.Remove(_values[id]);
        _values[id] = default;
        if (_freeCount == _free.Length)
            Array.Resize(ref _free, _free.Length * 2);
        _free[_freeCount++] = id;
    }

    /// <summary>Gets the number of references on an id (for tests).</summary>
    internal int ReferencesOf(int id) => _references[id];

    private int NewId(DistinctKey value)
    {
        int id;
        if (_freeCount > 0)
        {
            id = _free[--_freeCount];
        }
        else
        {
            id = _next++;
            if (id == _values.Length)
            {
                Array.Resize(ref _values, id * 2);
                Array.Resize(ref _references, id * 2);
            }
        }
        _values[id] = value;
        return id;
    }
}
