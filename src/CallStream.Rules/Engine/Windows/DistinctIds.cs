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
/// a tumbling window's set) takes a reference and releases it. An id whose last reference is released keeps its value
/// for a while, so a value that comes and goes (an agent whose contacts fall in short windows) does not leave and
/// re-enter the map each time; once the unreferenced values outnumber both <see cref="MinUnreferenced"/> and the
/// referenced ones, they are all forgotten and their ids reused. So the table holds at most about twice the values
/// the live windows do, plus a constant.
/// </remarks>
internal sealed class DistinctIds
{
    /// <summary>The number of unreferenced values always allowed to stay.</summary>
    public const int MinUnreferenced = 1024;

    private readonly Dictionary<DistinctKey, int> _ids = [];
    private DistinctKey[] _values = new DistinctKey[16];
    private int[] _references = new int[16];
    private int[] _free = new int[16];
    private int _freeCount;
    private int _next;
    private int _unreferenced;

    /// <summary>Gets the number of values referenced.</summary>
    public int Count => _ids.Count - _unreferenced;

    /// <summary>Gets the number of values held, unreferenced ones included.</summary>
    public int Held => _ids.Count;

    /// <summary>Gets the id of a non-null value, giving it a new one (with no reference yet) when it has none.</summary>
    /// <remarks>An id without references may be forgotten at the next <see cref="Release"/>: take one first.</remarks>
    public int Intern(DistinctKey value)
    {
        ref int id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, value, out bool exists);
        if (!exists)
        {
            id = NewId(value);
            _unreferenced++;
        }
        return id;
    }

    /// <summary>Gets the id of a non-null value and takes a reference on it.</summary>
    public int Acquire(DistinctKey value)
    {
        int id = Intern(value);
        AddReference(id);
        return id;
    }

    /// <summary>Takes a reference on an id.</summary>
    public void AddReference(int id)
    {
        if (_references[id]++ == 0)
            _unreferenced--;
    }

    /// <summary>Releases a reference on an id; when unreferenced values have grown too many, forgets them all.</summary>
    public void Release(int id)
    {
        if (--_references[id] > 0)
            return;
        if (++_unreferenced > MinUnreferenced && _unreferenced > _ids.Count - _unreferenced)
            ForgetUnreferenced();
    }

    /// <summary>Gets the number of references on an id (for tests).</summary>
    internal int ReferencesOf(int id) => _references[id];

    /// <summary>Removes every unreferenced value and frees its id: O(ids), run after as many releases.</summary>
    private void ForgetUnreferenced()
    {
        for (int id = 0; id < _next; id++)
        {
            if (_references[id] != 0 || _values[id].IsNull)
                continue;
            _ids.Remove(_values[id]);
            _values[id] = default;
            if (_freeCount == _free.Length)
                Array.Resize(ref _free, _free.Length * 2);
            _free[_freeCount++] = id;
        }
        _unreferenced = 0;
    }

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
