using System.Text;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The traversal order of BFD's string hash table (bfd/hash.c), which is the order GNU ld writes global symbols to
/// a relocatable output's .symtab and breaks ties between equal addresses in its map. Entries are prepended to
/// bucket <c>hash % size</c> (size 4051, grown to the next prime near a power of two past 3/4 full, moving runs
/// of equal hashes together); traversal walks buckets in index order. Only the insertion sequence matters, so
/// the engine feeds names in the order ld creates its hash entries.
/// </summary>
internal sealed class BfdHashOrder<T> where T : class, IBfdHashEntry<T>
{
    private static readonly ulong[] Primes =
    [
        31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071, 262139, 524287, 1048573,
        2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689, 268435399, 536870909, 1073741789,
        2147483647, 4294967291,
    ];

    private T?[] _table = new T?[4051];
    private int _count;

    public int Count => _count;

    /// <summary>The chain table is the index too, as bfd's is (bfd_hash_lookup): a second map of a million names
    /// cost more memory than the symbols' names.</summary>
    public T? Find(string name) => Lookup(name, Hash(name));

    private T? Lookup(string name, ulong hash)
    {
        for (var e = _table[(int)(hash % (ulong)_table.Length)]; e is not null; e = e.BfdNext)
        {
            if (e.BfdHash == hash && string.Equals(e.Name, name, StringComparison.Ordinal))
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>Returns the value for <paramref name="name"/>, inserting <paramref name="create"/>'s result if new.</summary>
    public T GetOrAdd(string name, Func<string, T> create)
    {
        var hash = Hash(name);
        if (Lookup(name, hash) is { } found)
        {
            return found;
        }

        var e = create(name);
        e.BfdHash = hash;
        _count++;
        var i = (int)(e.BfdHash % (ulong)_table.Length);
        e.BfdNext = _table[i];
        _table[i] = e;
        if ((ulong)_count > (ulong)_table.Length * 3 / 4)
        {
            Grow();
        }

        return e;
    }

    public IEnumerable<T> InTraversalOrder()
    {
        foreach (var head in _table)
        {
            for (var e = head; e is not null; e = e.BfdNext)
            {
                yield return e;
            }
        }
    }

    private void Grow()
    {
        var size = (ulong)_table.Length;
        var next = Primes.FirstOrDefault(p => p > size);
        if (next == 0)
        {
            return;
        }

        var table = new T?[next];
        for (var hi = 0; hi < _table.Length; hi++)
        {
            while (_table[hi] is { } chain)
            {
                var end = chain;
                while (end.BfdNext is not null && end.BfdNext.BfdHash == chain.BfdHash)
                {
                    end = end.BfdNext;
                }

                _table[hi] = end.BfdNext;
                var i = (int)(chain.BfdHash % next);
                end.BfdNext = table[i];
                table[i] = chain;
            }
        }

        _table = table;
    }

    /// <summary>bfd_hash_hash with a 64-bit unsigned long, as on the x86_64 hosts ld runs on.</summary>
    internal static ulong Hash(string name)
    {
        ulong hash = 0;
        ulong len = 0;
        foreach (var ch in name)
        {
            if (ch >= 0x80)
            {
                return HashUtf8(name);
            }

            hash = Step(hash, ch);
            len++;
        }

        return Finish(hash, len);
    }

    private static ulong HashUtf8(string name)
    {
        ulong hash = 0;
        var bytes = Encoding.UTF8.GetBytes(name);
        foreach (var b in bytes)
        {
            hash = Step(hash, b);
        }

        return Finish(hash, (ulong)bytes.Length);
    }

    private static ulong Step(ulong hash, ulong c)
    {
        hash = unchecked(hash + c + (c << 17));
        return hash ^ (hash >> 2);
    }

    private static ulong Finish(ulong hash, ulong len)
    {
        hash = unchecked(hash + len + (len << 17));
        return hash ^ (hash >> 2);
    }
}
