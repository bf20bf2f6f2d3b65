using System.Globalization;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Loading;

/// <summary>
/// The kernel's symbol values as <c>simplify_symbols</c> would resolve a module's undefined symbols: read from
/// <c>/proc/kallsyms</c> (of the running kernel, modules' symbols with their "[module]" tag included) or a
/// <c>System.map</c>. Both are "ADDRESS TYPE NAME" lines. A global (upper-case type) wins over a local of the
/// same name, and the first of several wins, as exported names are unique. Without CONFIG_KALLSYMS_ALL (Debian)
/// kallsyms lists functions only, so the symbol table of the kernel's own ELF image (<see cref="Add(ElfFile, IDictionary{string, ulong})"/>)
/// is the other source: with nokaslr its addresses are the running ones.
/// </summary>
public static class KernelSymbolMap
{
    public const string BadLine = "LDR014";

    /// <summary>A kallsyms or System.map file, or an ELF image (vmlinux) whose symbol table is read.</summary>
    public static Dictionary<string, ulong> Read(string path)
    {
        using (var probe = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[4];
            if (probe.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8))
            {
                probe.Close();
                using var elf = ElfFile.Open(path);
                var fromElf = new Dictionary<string, ulong>(StringComparer.Ordinal);
                Add(elf, fromElf);
                return fromElf;
            }
        }

        var globals = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var locals = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var lineNumber = 0;
        ulong offset = 0;
        var nonZero = false;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var fields = line.Split([' ', '\t'], 4, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[1].Length != 1 ||
                !ulong.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
            {
                throw new ElfFormatException(BadLine, path, $"line {lineNumber}", offset,
                    "not a kallsyms / System.map line (ADDRESS TYPE NAME [MODULE])");
            }

            nonZero |= address != 0;
            var into = char.IsUpper(fields[1][0]) ? globals : locals;
            into.TryAdd(fields[2], address);
            offset += (ulong)line.Length + 1;
        }

        if (lineNumber > 0 && !nonZero)
        {
            throw new ElfFormatException(BadLine, path, "line 1", 0,
                "every address is 0: kallsyms read without CAP_SYSLOG, or with kernel.kptr_restrict=2");
        }

        foreach (var (name, address) in locals)
        {
            globals.TryAdd(name, address);
        }

        return globals;
    }


    /// <summary>The defined symbols of a linked ELF image (globals first, then locals not already there), added where absent.</summary>
    public static void Add(ElfFile image, IDictionary<string, ulong> into)
    {
        var symtab = image.SymbolTable;
        if (symtab is null)
        {
            return;
        }

        foreach (var global in new[] { true, false })
        {
            for (var i = 1; i < symtab.Count; i++)
            {
                var sym = symtab[i];
                if (sym.IsUndefined || (sym.Binding != ElfConstants.StbLocal) != global || sym.Type is ElfConstants.SttSection or ElfConstants.SttFile)
                {
                    continue;
                }

                into.TryAdd(symtab.GetName(i), sym.Value);
            }
        }
    }
}
