using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// 6.1 kernel/jump_label.c <c>jump_label_add_module</c>, run by the MODULE_STATE_COMING notifier before the
/// module's init: <c>jump_label_sort_entries</c> sorts __jump_table by key, then code address (relative entries are
/// rewritten as they move, <c>jump_label_swap</c>), <c>jump_entry_set_init</c> marks entries whose code is in the
/// init region, and every key defined in the module gets <c>static_key_set_entries</c>: its first entry's address,
/// keeping the key's type bits. That is how each <c>_ddebug.key</c> in __dyndbg reads once the module is live.
/// Keys outside the module (kept in kzalloc'd static_key_mod lists) are left alone.
/// </summary>
public static class JumpLabelModule
{
    private const ulong JumpTypeMask = 3;
    private const ulong EntryInit = 2;

    /// <summary>CONFIG_HAVE_ARCH_JUMP_LABEL_RELATIVE: {s32 code; s32 target; long key}, each relative to its own field.</summary>
    public static bool RelativeEntries(ElfMachine machine) =>
        machine is ElfMachine.X86_64 or ElfMachine.I386 or ElfMachine.AArch64 or ElfMachine.Ppc64 or ElfMachine.S390;

    /// <summary>sizeof(struct jump_entry): relative, two s32 and a long; absolute, three words.</summary>
    public static int EntrySize(ElfMachine machine, int word) => RelativeEntries(machine) ? 8 + word : 3 * word;

    public static void Add(LoadedModule m)
    {
        var table = m.Layout.Find("__jump_table");
        if (table is null || table.NoBits || table.Size == 0)
        {
            return;
        }

        var e = m.File.Endian;
        var word = m.File.Header.Is64 ? 8 : 4;
        var relative = RelativeEntries(m.File.Header.Machine);
        var size = EntrySize(m.File.Header.Machine, word);
        var bytes = m.Writable(table.Index);
        var at = m.Addresses[table.Index];
        var n = bytes.Length / size;
        var entries = new (ulong Code, ulong Target, ulong Key)[n];
        for (var i = 0; i < n; i++)
        {
            var p = bytes[(i * size)..];
            var a = at + (ulong)(i * size);
            entries[i] = relative
                ? (a + (ulong)(long)(int)e.U32(p), a + 4 + (ulong)(long)(int)e.U32(p[4..]), a + 8 + (word == 8 ? e.U64(p[8..]) : (ulong)(long)(int)e.U32(p[8..])))
                : (e.Word(p, word), e.Word(p[word..], word), e.Word(p[(2 * word)..], word));
        }

        // keys and code addresses are unique together, so any sort gives the kernel's order
        Array.Sort(entries, (x, y) =>
        {
            var c = (x.Key & ~JumpTypeMask).CompareTo(y.Key & ~JumpTypeMask);
            return c != 0 ? c : x.Code.CompareTo(y.Code);
        });

        ulong previousKey = 0;
        for (var i = 0; i < n; i++)
        {
            var (code, target, key) = entries[i];
            // jump_entry_set_init sets or clears the bit (x86 compiles every entry with it set, "2 | branch")
            key = unchecked(code - m.InitBase) < m.Layout.InitSize ? key | EntryInit : key & ~EntryInit;

            var p = bytes[(i * size)..];
            var a = at + (ulong)(i * size);
            if (relative)
            {
                e.Put32(p, unchecked((uint)(code - a)));
                e.Put32(p[4..], unchecked((uint)(target - (a + 4))));
                e.PutWord(p[8..], unchecked(key - (a + 8)), word);
            }
            else
            {
                e.PutWord(p, code, word);
                e.PutWord(p[word..], target, word);
                e.PutWord(p[(2 * word)..], key, word);
            }

            var k = key & ~JumpTypeMask;
            if (k == previousKey)
            {
                continue;
            }

            previousKey = k;
            // struct static_key { atomic_t enabled; union { unsigned long type; struct jump_entry *entries; ... } }
            if (m.Locate(k + (ulong)word) is { } loc)
            {
                var keyBytes = m.Writable(loc.Section)[(int)loc.Offset..];
                if (keyBytes.Length >= word)
                {
                    var type = e.Word(keyBytes, word) & JumpTypeMask;
                    e.PutWord(keyBytes, a | type, word);
                }
            }
        }
    }
}
